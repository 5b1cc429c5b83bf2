export function kernel_version(): i32 { return 0; }
