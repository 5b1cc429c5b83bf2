// Firmware entry: the training kernel and the device crypto in one module.
export * from "./kernel/exports";
export * from "./crypto/exports";
