// Tests of the capability and msg-info intrinsics (placeholder; being written).
