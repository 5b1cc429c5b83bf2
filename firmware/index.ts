// Firmware entry: the training kernel and the device crypto in one module.
import "./bindings"; // host imports + the abort replacement named in asconfig.json
export * from "./kernel/exports";
export * from "./crypto/exports";
