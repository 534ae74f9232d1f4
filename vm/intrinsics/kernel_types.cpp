// vm/intrinsics: capability and msg-info data types (placeholder; being written).
