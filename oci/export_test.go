package oci

// RegistryForExamples gives the external example package the registry
// TestMain started.
func RegistryForExamples() string { return exampleRegistry }
