export function crypto_version(): i32 { return 0; }
