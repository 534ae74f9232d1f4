// The in-process conformance runner (placeholder; being written).
