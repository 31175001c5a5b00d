/**
 * ModelProto bytes ↔ plain objects, through protobufjs and ONNX's own schema (decision 0015):
 * protobufjs checks every length against the bytes it has, so a truncated or corrupt file throws
 * instead of allocating what a bogus length claims.
 */
import { GatedError } from '@gated/backend-api';
import protobuf from 'protobufjs/light.js';
import { onnxSchema } from './onnx-schema.js';
import type { ModelProto } from './types.js';

let modelType: protobuf.Type | null = null;

/** The `onnx.ModelProto` type, built once on first use. */
function modelProto(): protobuf.Type {
  modelType ??= protobuf.Root.fromJSON(onnxSchema as unknown as protobuf.INamespace).lookupType('onnx.ModelProto');
  return modelType;
}

/** Decodes a serialized ModelProto; a truncated or malformed file throws a `GatedError` naming `op`. */
export function decodeModel(op: string, bytes: Uint8Array): ModelProto {
  if (!(bytes instanceof Uint8Array)) throw new GatedError(op, `expected the file's bytes as a Uint8Array, got ${typeof bytes}`);
  if (bytes.length === 0) throw new GatedError(op, 'the file is empty (0 bytes)');
  const type = modelProto();
  let message: protobuf.Message;
  try {
    message = type.decode(bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new GatedError(
      op,
      `not a valid ONNX file (${bytes.length} bytes): the protobuf decoder stopped with "${reason}"; is it truncated or not an .onnx model?`,
    );
  }
  return type.toObject(message, { longs: Number, enums: Number, arrays: true, defaults: false }) as unknown as ModelProto;
}

/** Encodes a ModelProto given as a plain object (the shape `decodeModel` returns). */
export function encodeModel(model: ModelProto): Uint8Array {
  const type = modelProto();
  return type.encode(type.fromObject(model)).finish();
}
