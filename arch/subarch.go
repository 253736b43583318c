package arch

// DefaultSubArches returns the architectures moby's and containers/common's
// default profiles list in "archMap" as sub-architectures of a: the other
// ABIs a kernel of that architecture also runs. A filter that leaves them
// out lets those ABIs through only as "bad arch" (killed), which is what
// profiles without archMap get.
func DefaultSubArches(a Arch) []Arch {
	switch a {
	case X86_64:
		return []Arch{X86, X32}
	case AArch64:
		return []Arch{ARM}
	case MIPS64:
		return []Arch{MIPS, MIPS64N32}
	case MIPS64N32:
		return []Arch{MIPS, MIPS64}
	case MIPSEL64:
		return []Arch{MIPSEL, MIPSEL64N32}
	case MIPSEL64N32:
		return []Arch{MIPSEL, MIPSEL64}
	case S390X:
		return []Arch{S390}
	}
	return nil
}
