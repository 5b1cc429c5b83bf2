// TFLite interchange: model blob ⇄ .tflite flatbuffer (docs/model-format.md, "TFLite").
export { blobToTflite, TfliteExportError, type ExportOptions } from './write.js';
export { tfliteToBlob, TfliteUnsupportedError, TfliteFormatError, MAX_TFLITE_BYTES, type ImportOptions, type ImportResult } from './read.js';
