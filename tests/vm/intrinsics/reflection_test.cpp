// Tests of eval, macroexpand and the namespace intrinsics (placeholder; being written).
