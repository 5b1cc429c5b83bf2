// The part of the TFLite flatbuffer schema (tensorflow/lite/schema/schema.fbs, schema version 3)
// that the exporter writes and the importer reads: field slots of each table, in declaration
// order (a union takes two slots, its type then its value), and the enum values used.
// No npm package ships the schema, so the layout is written down here, once.

/** file_identifier of schema.fbs. */
export const TFLITE_IDENTIFIER = 'TFL3';
/** Model.version: "Version 3: Move buffer data from Model.Subgraph.Tensors to Model.Buffers". */
export const TFLITE_SCHEMA_VERSION = 3;

/** table Model */
export const Model = { version: 0, operator_codes: 1, subgraphs: 2, description: 3, buffers: 4, metadata_buffer: 5, metadata: 6, signature_defs: 7, FIELDS: 8 } as const;
/** table OperatorCode */
export const OperatorCode = { deprecated_builtin_code: 0, custom_code: 1, version: 2, builtin_code: 3, FIELDS: 4 } as const;
/** table SubGraph */
export const SubGraph = { tensors: 0, inputs: 1, outputs: 2, operators: 3, name: 4, FIELDS: 5 } as const;
/** table Tensor */
export const Tensor = { shape: 0, type: 1, buffer: 2, name: 3, quantization: 4, is_variable: 5, sparsity: 6, shape_signature: 7, has_rank: 8, variant_tensors: 9, FIELDS: 10 } as const;
/** table QuantizationParameters (details is a union: slot 4 type, slot 5 value) */
export const Quantization = { min: 0, max: 1, scale: 2, zero_point: 3, details_type: 4, details: 5, quantized_dimension: 6, FIELDS: 7 } as const;
/** table Operator (builtin_options: slot 3 type, slot 4 value; builtin_options_2: slots 11, 12) */
export const Operator = { opcode_index: 0, inputs: 1, outputs: 2, builtin_options_type: 3, builtin_options: 4, custom_options: 5, custom_options_format: 6,
  mutating_variable_inputs: 7, intermediates: 8, large_custom_options_offset: 9, large_custom_options_size: 10, builtin_options_2_type: 11, builtin_options_2: 12, FIELDS: 13 } as const;
/** table Buffer (offset/size locate data outside the flatbuffer in models over 2 GB) */
export const Buffer = { data: 0, offset: 1, size: 2, FIELDS: 3 } as const;
/** table Metadata */
export const Metadata = { name: 0, buffer: 1, FIELDS: 2 } as const;
/** table FullyConnectedOptions */
export const FullyConnectedOptions = { fused_activation_function: 0, weights_format: 1, keep_num_dims: 2, asymmetric_quantize_inputs: 3, quantized_bias_type: 4, FIELDS: 5 } as const;
/** table ReshapeOptions */
export const ReshapeOptions = { new_shape: 0, FIELDS: 1 } as const;

/** enum TensorType : byte (the values used here). */
export const TensorType = { FLOAT32: 0, INT32: 2, UINT8: 3, INT16: 7, INT8: 9 } as const;
/** Names of every TensorType, for error messages. */
export const TENSOR_TYPE_NAMES = ['FLOAT32', 'FLOAT16', 'INT32', 'UINT8', 'INT64', 'STRING', 'BOOL', 'INT16', 'COMPLEX64', 'INT8', 'FLOAT64',
  'COMPLEX128', 'UINT64', 'RESOURCE', 'VARIANT', 'UINT32', 'UINT16', 'INT4'];

/** enum BuiltinOperator : int32 (the values this toolkit knows by name). */
export const BuiltinOperator = { DEQUANTIZE: 6, FULLY_CONNECTED: 9, RELU: 19, RESHAPE: 22, SOFTMAX: 25, QUANTIZE: 114 } as const;
/** A few more names, so that a refused operator is named in the error. */
export const OPERATOR_NAMES: Record<number, string> = {
  0: 'ADD', 1: 'AVERAGE_POOL_2D', 2: 'CONCATENATION', 3: 'CONV_2D', 4: 'DEPTHWISE_CONV_2D', 6: 'DEQUANTIZE', 9: 'FULLY_CONNECTED',
  14: 'LOGISTIC', 16: 'LSTM', 17: 'MAX_POOL_2D', 18: 'MUL', 19: 'RELU', 21: 'RELU6', 22: 'RESHAPE', 25: 'SOFTMAX', 28: 'TANH',
  32: 'CUSTOM', 39: 'TRANSPOSE', 40: 'MEAN', 41: 'SUB', 50: 'LOG_SOFTMAX', 56: 'ARG_MAX', 114: 'QUANTIZE', 126: 'BATCH_MATMUL',
};
/** GetBuiltinCode: builtin codes ≥ 127 live only in `builtin_code`; older files only set the byte. */
export const PLACEHOLDER_FOR_GREATER_OP_CODES = 127;

/** union BuiltinOptions: index of each options table (NONE = 0). */
export const BuiltinOptions = { NONE: 0, FullyConnectedOptions: 8, SoftmaxOptions: 9, ReshapeOptions: 17, DequantizeOptions: 38, QuantizeOptions: 89 } as const;

/** enum ActivationFunctionType : byte */
export const Activation = { NONE: 0, RELU: 1, RELU_N1_TO_1: 2, RELU6: 3, TANH: 4, SIGN_BIT: 5 } as const;
export const ACTIVATION_NAMES = ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6', 'TANH', 'SIGN_BIT'];

/** FULLY_CONNECTED version for int8 inputs, weights and outputs (tools/versioning/op_version.cc: "Quantized Int8 | 4"). */
export const FULLY_CONNECTED_INT8_VERSION = 4;

/** Name of the metadata entry that carries what TFLite has no field for (see docs/model-format.md). */
export const EFL_METADATA = 'edgechain_fl.model';
