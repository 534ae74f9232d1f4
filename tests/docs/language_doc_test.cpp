// Runs the examples of docs/language.md (placeholder; being written).
