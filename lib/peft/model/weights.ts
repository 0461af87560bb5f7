import { type ToyDims, weightShapes } from './toy-arch';

/**
 * The shipped base model's file format: a 4-byte little-endian header length, a JSON header
 * (format, dimensions, how it was trained) and the float32 weights in `weightShapes` order.
 */
export const WEIGHTS_FORMAT = 'peft-atlas-toy/1';

export interface WeightsHeader {
  format: typeof WEIGHTS_FORMAT;
  dims: ToyDims;
  /** Free-form facts about the pretraining run (seed, steps, final loss). */
  trainedWith: Record<string, number | string>;
}

export function encodeWeights(dims: ToyDims, values: ReadonlyMap<string, Float32Array>, trainedWith: WeightsHeader['trainedWith']): Uint8Array {
  const header: WeightsHeader = { format: WEIGHTS_FORMAT, dims, trainedWith };
  const json = new TextEncoder().encode(JSON.stringify(header));
  // Pad the header so the float data starts 4-byte aligned.
  const headerBytes = Math.ceil(json.length / 4) * 4;
  const shapes = weightShapes(dims);
  const floats = [...shapes.values()].reduce((sum, s) => sum + s.reduce((a, b) => a * b, 1), 0);
  const out = new Uint8Array(4 + headerBytes + floats * 4);
  new DataView(out.buffer).setUint32(0, headerBytes, true);
  out.set(json, 4);
  out.fill(0x20, 4 + json.length, 4 + headerBytes);
  const data = new Float32Array(out.buffer, 4 + headerBytes, floats);
  let offset = 0;
  for (const [name, shape] of shapes) {
    const v = values.get(name);
    const size = shape.reduce((a, b) => a * b, 1);
    if (!v || v.length !== size) throw new Error(`weight "${name}" should hold ${size} values`);
    data.set(v, offset);
    offset += size;
  }
  return out;
}

export function decodeWeights(bytes: ArrayBuffer | Uint8Array): { header: WeightsHeader; values: Map<string, Float32Array> } {
  const buf = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const headerBytes = view.getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(buf.subarray(4, 4 + headerBytes))) as WeightsHeader;
  if (header.format !== WEIGHTS_FORMAT) throw new Error(`unknown weights format "${String(header.format)}"`);
  // Copy into a fresh, aligned buffer: the input may start at any byte offset, and a Node
  // Buffer's slice() is a view into a shared pool, not a copy.
  const body = new Uint8Array(buf.byteLength - 4 - headerBytes);
  body.set(buf.subarray(4 + headerBytes));
  const floats = new Float32Array(body.buffer);
  const values = new Map<string, Float32Array>();
  let offset = 0;
  for (const [name, shape] of weightShapes(header.dims)) {
    const size = shape.reduce((a, b) => a * b, 1);
    if (offset + size > floats.length) throw new Error(`weights file ends before "${name}"`);
    values.set(name, floats.slice(offset, offset + size));
    offset += size;
  }
  return { header, values };
}
