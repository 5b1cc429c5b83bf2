// Error codes shared by every firmware export (firmware ABI, docs/firmware-abi.md).
// Zero or positive = success (often a length); negative = error.
export const OK: i32 = 0;
export const E_BAD_DIMS: i32 = -1;      // wrong dimensions / sizes
export const E_BAD_PARAM: i32 = -2;     // hyper-parameter out of range
export const E_BAD_HEADER: i32 = -3;    // model blob magic/version/arch invalid
export const E_BAD_LENGTH: i32 = -4;    // blob or buffer length mismatch / too large
export const E_NOT_READY: i32 = -5;     // call order violated (e.g. train before init)
export const E_BAD_KEY: i32 = -6;       // key length or encoding invalid
export const E_BAD_SIG: i32 = -7;       // signature does not verify
export const E_ENTROPY: i32 = -8;       // host entropy import failed
export const E_TOO_LARGE: i32 = -9;     // message or payload exceeds a firmware limit
export const E_BAD_MODEL: i32 = -10;    // model parameters outside their legal range (e.g. int8 weight -128)
export const E_HOST_HEAP: i32 = -11;    // the host runtime put its own heap into linear memory (use app heap size 0)
export const E_BAD_MSG: i32 = -12;      // a signed message is malformed (CBOR/COSE structure, fields, hash)
