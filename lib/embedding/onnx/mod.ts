/**
 * A small, dependency-free ONNX writer: typed `ModelProto` / `GraphProto` / `NodeProto` /
 * `TensorProto` values → protobuf bytes that onnxruntime loads, plus a {@link GraphBuilder}
 * that names intermediate values for you.
 *
 * Only the subset of `onnx.proto` (IR version ≥ 7) that inference graphs need is encoded:
 * nodes with typed attributes, initializers (raw little-endian data), typed inputs/outputs
 * with fixed or symbolic dimensions, opset imports and metadata. Field numbers follow
 * https://github.com/onnx/onnx/blob/main/onnx/onnx.proto.
 *
 * Encoding is deterministic: the same model value always gives the same bytes, so a hash
 * of the file identifies the model (the embedding cache relies on that).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as ort from "onnxruntime-node";
 * import { encodeModel, GraphBuilder } from "./mod.ts";
 * const g = new GraphBuilder("double");
 * const x = g.input("x", "float32", ["batch", 3]);
 * const two = g.initializer("two", new Float32Array([2]), []);
 * g.output(g.node("Mul", [x, two])[0], "float32", ["batch", 3], "y");
 * const bytes: Uint8Array = encodeModel({ graph: g.build() });
 * const session = await ort.InferenceSession.create(bytes); // onnxruntime reads the bytes back
 * const { y } = await session.run({ x: new ort.Tensor("float32", new Float32Array([1, 2, 3]), [1, 3]) });
 * assert.deepEqual(y.data, new Float32Array([2, 4, 6]));
 * await session.release();
 * ```
 * @module
 */

/** Element types setsim writes; the values are ONNX `TensorProto.DataType` codes. */
export const DATA_TYPES = {
  float32: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  float64: 11,
} as const;

/** Name of an ONNX element type. */
export type DataTypeName = keyof typeof DATA_TYPES;

/** Typed array holding a tensor's values (float16 and bool as raw `Uint8Array` bytes / 0-1 bytes). */
export type TensorData = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | Int8Array;

/** A constant tensor (initializer or attribute value). */
export interface TensorProto {
  name: string;
  dataType: DataTypeName;
  dims: number[];
  /** Values in row-major order; its length must be the product of `dims` (1 for a scalar). */
  data: TensorData;
}

/** One dimension of a value's shape: a fixed size, a symbolic name (e.g. "batch") or unknown. */
export type Dim = number | string | null;

/** A typed graph input, output or intermediate value. */
export interface ValueInfoProto {
  name: string;
  elemType: DataTypeName;
  /** `undefined` = unknown rank. */
  shape?: Dim[];
}

/** A typed attribute value; use the {@link attr} helpers to build them. */
export type AttributeValue =
  | { type: "float"; value: number }
  | { type: "int"; value: number | bigint }
  | { type: "string"; value: string }
  | { type: "tensor"; value: TensorProto }
  | { type: "graph"; value: GraphProto }
  | { type: "floats"; value: number[] }
  | { type: "ints"; value: (number | bigint)[] }
  | { type: "strings"; value: string[] };

/** Helpers that tag attribute values with their ONNX type (a JS number alone is ambiguous). */
export const attr = {
  float: (value: number): AttributeValue => ({ type: "float", value }),
  int: (value: number | bigint): AttributeValue => ({ type: "int", value }),
  string: (value: string): AttributeValue => ({ type: "string", value }),
  tensor: (value: TensorProto): AttributeValue => ({ type: "tensor", value }),
  graph: (value: GraphProto): AttributeValue => ({ type: "graph", value }),
  floats: (value: number[]): AttributeValue => ({ type: "floats", value }),
  ints: (value: (number | bigint)[]): AttributeValue => ({ type: "ints", value }),
  strings: (value: string[]): AttributeValue => ({ type: "strings", value }),
};

/** One operator application. */
export interface NodeProto {
  opType: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  /** Operator domain; "" (default) is the standard `ai.onnx` domain. */
  domain?: string;
  /** Attributes, encoded in key order sorted by name so bytes are deterministic. */
  attributes?: Record<string, AttributeValue>;
  docString?: string;
}

/** A computation graph. Nodes must be in topological order. */
export interface GraphProto {
  name: string;
  nodes: NodeProto[];
  inputs: ValueInfoProto[];
  outputs: ValueInfoProto[];
  initializers?: TensorProto[];
  valueInfo?: ValueInfoProto[];
  docString?: string;
}

/** An operator set the model uses. */
export interface OperatorSetId {
  /** "" for the standard domain. */
  domain: string;
  version: number;
}

/** A whole model file. */
export interface ModelProto {
  graph: GraphProto;
  /** Defaults to 8 (onnxruntime ≥ 1.10 reads it; fits opsets up to 17). */
  irVersion?: number;
  /** Defaults to `[{ domain: "", version: DEFAULT_OPSET }]`. */
  opsetImports?: OperatorSetId[];
  producerName?: string;
  producerVersion?: string;
  docString?: string;
  /** Free-form key/value metadata (e.g. where the weights came from). */
  metadata?: Record<string, string>;
}

/** Default standard-domain opset. */
export const DEFAULT_OPSET = 17;

// ---------------------------------------------------------------------------------------
// Protobuf wire format

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_BYTES = 2;
const WIRE_FIXED32 = 5;

const textEncoder = new TextEncoder();

/** Append-only byte buffer with protobuf primitives. */
class Writer {
  private chunks: Uint8Array[] = [];
  private current = new Uint8Array(1024);
  private position = 0;
  length = 0;

  private ensure(extra: number): void {
    if (this.position + extra <= this.current.length) return;
    this.chunks.push(this.current.subarray(0, this.position));
    this.current = new Uint8Array(Math.max(1024, extra));
    this.position = 0;
  }

  byte(value: number): void {
    this.ensure(1);
    this.current[this.position++] = value;
    this.length++;
  }

  bytes(value: Uint8Array): void {
    if (value.length > 4096) {
      // Large payloads (weights) are kept by reference instead of copied twice.
      this.chunks.push(this.current.subarray(0, this.position));
      this.chunks.push(value);
      this.current = new Uint8Array(1024);
      this.position = 0;
    } else {
      this.ensure(value.length);
      this.current.set(value, this.position);
      this.position += value.length;
    }
    this.length += value.length;
  }

  /** Unsigned or signed varint; negative values use 10-byte two's complement, as int64 requires. */
  varint(value: number | bigint): void {
    if (typeof value === "number") {
      if (!Number.isInteger(value)) throw new RangeError(`varint needs an integer, got ${value}`);
      if (value >= 0 && value < 2 ** 31) {
        let v = value;
        while (v > 0x7f) {
          this.byte((v & 0x7f) | 0x80);
          v >>>= 7;
        }
        this.byte(v);
        return;
      }
      value = BigInt(value);
    }
    let v = BigInt.asUintN(64, value);
    while (v > 0x7fn) {
      this.byte(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.byte(Number(v));
  }

  tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of [...this.chunks, this.current.subarray(0, this.position)]) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}

function writeVarintField(w: Writer, field: number, value: number | bigint): void {
  w.tag(field, WIRE_VARINT);
  w.varint(value);
}

function writeBytesField(w: Writer, field: number, value: Uint8Array): void {
  w.tag(field, WIRE_BYTES);
  w.varint(value.length);
  w.bytes(value);
}

function writeStringField(w: Writer, field: number, value: string | undefined): void {
  if (value === undefined || value === "") return;
  writeBytesField(w, field, textEncoder.encode(value));
}

function writeMessageField(w: Writer, field: number, encode: (inner: Writer) => void): void {
  const inner = new Writer();
  encode(inner);
  writeBytesField(w, field, inner.finish());
}

function writeFloatField(w: Writer, field: number, value: number): void {
  w.tag(field, WIRE_FIXED32);
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, value, true);
  w.bytes(b);
}

function packedVarints(w: Writer, field: number, values: (number | bigint)[]): void {
  const inner = new Writer();
  for (const v of values) inner.varint(v);
  writeBytesField(w, field, inner.finish());
}

function packedFloats(w: Writer, field: number, values: number[]): void {
  const b = new Uint8Array(values.length * 4);
  const view = new DataView(b.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  writeBytesField(w, field, b);
}

// Silence "unused" for the fixed64 wire type kept for completeness of the table above.
void WIRE_FIXED64;

// ---------------------------------------------------------------------------------------
// Messages

function elementCount(dims: number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

function expectedArray(dataType: DataTypeName): string {
  switch (dataType) {
    case "float32":
      return "Float32Array";
    case "float64":
      return "Float64Array";
    case "int32":
      return "Int32Array";
    case "int64":
      return "BigInt64Array";
    case "int8":
      return "Int8Array";
    default:
      return "Uint8Array";
  }
}

function littleEndianBytes(t: TensorProto): Uint8Array {
  const expected = expectedArray(t.dataType);
  if (t.data.constructor.name !== expected) {
    throw new TypeError(
      `tensor "${t.name}": ${t.dataType} data must be a ${expected}, got ${t.data.constructor.name}`,
    );
  }
  const perElement = t.dataType === "float16" ? 2 : t.data.BYTES_PER_ELEMENT;
  const count = elementCount(t.dims);
  if (t.data.byteLength !== count * perElement) {
    throw new RangeError(
      `tensor "${t.name}": dims [${t.dims}] need ${count} ${t.dataType} values, got ${
        t.data.byteLength / perElement
      }`,
    );
  }
  // All supported hosts (x86-64, arm64) are little-endian, which ONNX raw_data requires.
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

function encodeTensor(w: Writer, t: TensorProto): void {
  for (const d of t.dims) {
    if (!Number.isInteger(d) || d < 0) throw new RangeError(`tensor "${t.name}": bad dimension ${d}`);
  }
  const raw = littleEndianBytes(t);
  if (t.dims.length > 0) packedVarints(w, 1, t.dims);
  writeVarintField(w, 2, DATA_TYPES[t.dataType]);
  writeStringField(w, 8, t.name);
  writeBytesField(w, 9, raw);
}

function encodeValueInfo(w: Writer, v: ValueInfoProto): void {
  writeStringField(w, 1, v.name);
  writeMessageField(w, 2, (type) => {
    // TypeProto.tensor_type = 1
    writeMessageField(type, 1, (tensor) => {
      writeVarintField(tensor, 1, DATA_TYPES[v.elemType]);
      if (v.shape !== undefined) {
        writeMessageField(tensor, 2, (shape) => {
          for (const d of v.shape!) {
            writeMessageField(shape, 1, (dim) => {
              if (typeof d === "number") writeVarintField(dim, 1, d);
              else if (typeof d === "string") writeStringField(dim, 2, d);
            });
          }
        });
      }
    });
  });
}

const ATTRIBUTE_TYPES: Record<AttributeValue["type"], number> = {
  float: 1,
  int: 2,
  string: 3,
  tensor: 4,
  graph: 5,
  floats: 6,
  ints: 7,
  strings: 8,
};

function encodeAttribute(w: Writer, name: string, a: AttributeValue): void {
  writeStringField(w, 1, name);
  switch (a.type) {
    case "float":
      writeFloatField(w, 2, a.value);
      break;
    case "int":
      writeVarintField(w, 3, a.value);
      break;
    case "string":
      writeBytesField(w, 4, textEncoder.encode(a.value));
      break;
    case "tensor":
      writeMessageField(w, 5, (inner) => encodeTensor(inner, a.value));
      break;
    case "graph":
      writeMessageField(w, 6, (inner) => encodeGraph(inner, a.value));
      break;
    case "floats":
      packedFloats(w, 7, a.value);
      break;
    case "ints":
      packedVarints(w, 8, a.value);
      break;
    case "strings":
      for (const s of a.value) writeBytesField(w, 9, textEncoder.encode(s));
      break;
  }
  writeVarintField(w, 20, ATTRIBUTE_TYPES[a.type]);
}

function encodeNode(w: Writer, n: NodeProto): void {
  for (const input of n.inputs) writeBytesField(w, 1, textEncoder.encode(input));
  for (const output of n.outputs) writeBytesField(w, 2, textEncoder.encode(output));
  writeStringField(w, 3, n.name);
  writeStringField(w, 4, n.opType);
  for (const key of Object.keys(n.attributes ?? {}).sort()) {
    writeMessageField(w, 5, (inner) => encodeAttribute(inner, key, n.attributes![key]));
  }
  writeStringField(w, 6, n.docString);
  writeStringField(w, 7, n.domain);
}

function encodeGraph(w: Writer, g: GraphProto): void {
  for (const n of g.nodes) writeMessageField(w, 1, (inner) => encodeNode(inner, n));
  writeStringField(w, 2, g.name);
  for (const t of g.initializers ?? []) writeMessageField(w, 5, (inner) => encodeTensor(inner, t));
  writeStringField(w, 10, g.docString);
  for (const v of g.inputs) writeMessageField(w, 11, (inner) => encodeValueInfo(inner, v));
  for (const v of g.outputs) writeMessageField(w, 12, (inner) => encodeValueInfo(inner, v));
  for (const v of g.valueInfo ?? []) writeMessageField(w, 13, (inner) => encodeValueInfo(inner, v));
}

/** Check that every node input is defined before use (graph input, initializer, earlier output). */
export function validateGraph(g: GraphProto): void {
  const defined = new Set<string>([""]);
  for (const v of g.inputs) defined.add(v.name);
  for (const t of g.initializers ?? []) {
    if (defined.has(t.name) && g.inputs.every((v) => v.name !== t.name)) {
      throw new Error(`graph "${g.name}": initializer "${t.name}" is defined twice`);
    }
    defined.add(t.name);
  }
  g.nodes.forEach((n, i) => {
    for (const input of n.inputs) {
      if (!defined.has(input)) {
        throw new Error(`graph "${g.name}": node ${i} (${n.opType}) reads "${input}" before it is defined`);
      }
    }
    for (const output of n.outputs) {
      if (defined.has(output) && output !== "") {
        throw new Error(`graph "${g.name}": node ${i} (${n.opType}) redefines "${output}"`);
      }
      defined.add(output);
    }
  });
  for (const v of g.outputs) {
    if (!defined.has(v.name)) throw new Error(`graph "${g.name}": output "${v.name}" is never computed`);
  }
}

/**
 * Encode a model as ONNX protobuf bytes (what `InferenceSession.create(bytes)` reads).
 * Validates the main graph's topological order first.
 */
export function encodeModel(model: ModelProto): Uint8Array {
  validateGraph(model.graph);
  const w = new Writer();
  writeVarintField(w, 1, model.irVersion ?? 8);
  writeStringField(w, 2, model.producerName ?? "setsim");
  writeStringField(w, 3, model.producerVersion);
  writeStringField(w, 6, model.docString);
  writeMessageField(w, 7, (inner) => encodeGraph(inner, model.graph));
  for (const op of model.opsetImports ?? [{ domain: "", version: DEFAULT_OPSET }]) {
    writeMessageField(w, 8, (inner) => {
      writeStringField(inner, 1, op.domain);
      writeVarintField(inner, 2, op.version);
    });
  }
  const metadata = model.metadata ?? {};
  for (const key of Object.keys(metadata).sort()) {
    writeMessageField(w, 14, (inner) => {
      writeStringField(inner, 1, key);
      writeStringField(inner, 2, metadata[key]);
    });
  }
  return w.finish();
}

// ---------------------------------------------------------------------------------------
// Graph building

/**
 * Builds a {@link GraphProto} node by node, generating unique names for intermediate values.
 *
 * `node()` returns the names of the new outputs so calls compose:
 * `g.node("Relu", [g.node("Conv", [x, w, b], { ... })[0]])[0]`.
 */
export class GraphBuilder {
  readonly name: string;
  private readonly nodes: NodeProto[] = [];
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly used = new Set<string>();
  private counter = 0;

  constructor(name: string) {
    this.name = name;
  }

  /** A fresh value name starting with `prefix`. */
  fresh(prefix: string): string {
    let name: string;
    do name = `${prefix}_${this.counter++}`; while (this.used.has(name));
    this.used.add(name);
    return name;
  }

  private claim(name: string): string {
    if (this.used.has(name)) throw new Error(`graph "${this.name}": value "${name}" already exists`);
    this.used.add(name);
    return name;
  }

  /** Declare a graph input; returns its name. */
  input(name: string, elemType: DataTypeName, shape?: Dim[]): string {
    this.inputs.push({ name: this.claim(name), elemType, shape });
    return name;
  }

  /** Add a constant; `dims` defaults to `[data.length]`. Returns its name. */
  initializer(name: string, data: TensorData, dims?: number[], dataType?: DataTypeName): string {
    this.initializers.push({
      name: this.claim(name),
      dataType: dataType ?? inferDataType(data),
      dims: dims ?? [data.length],
      data,
    });
    return name;
  }

  /** A float32 constant from plain numbers. */
  floats(name: string, values: ArrayLike<number>, dims?: number[]): string {
    return this.initializer(name, Float32Array.from(values), dims);
  }

  /** An int64 constant (shapes, axes) from plain numbers. */
  int64s(name: string, values: ArrayLike<number>, dims?: number[]): string {
    return this.initializer(name, BigInt64Array.from(Array.from(values, (v) => BigInt(v))), dims);
  }

  /**
   * Append a node. `outputs` may be a count (names are generated) or explicit names.
   * Returns the output names.
   */
  node(
    opType: string,
    inputs: string[],
    attributes?: Record<string, AttributeValue>,
    outputs: number | string[] = 1,
    options: { name?: string; domain?: string } = {},
  ): string[] {
    const names = typeof outputs === "number"
      ? Array.from({ length: outputs }, () => this.fresh(opType.toLowerCase()))
      : outputs.map((n) => this.claim(n));
    this.nodes.push({
      opType,
      inputs,
      outputs: names,
      name: options.name ?? this.fresh(`${opType}_node`),
      domain: options.domain,
      attributes,
    });
    return names;
  }

  /**
   * Declare a graph output. If `rename` is given, an Identity node copies `value` to that name
   * (so internal names can stay generated while the public name is stable).
   */
  output(value: string, elemType: DataTypeName, shape?: Dim[], rename?: string): string {
    let name = value;
    if (rename !== undefined && rename !== value) {
      name = this.node("Identity", [value], undefined, [rename])[0];
    }
    this.outputs.push({ name, elemType, shape });
    return name;
  }

  /** The finished graph. */
  build(): GraphProto {
    return {
      name: this.name,
      nodes: [...this.nodes],
      inputs: [...this.inputs],
      outputs: [...this.outputs],
      initializers: [...this.initializers],
    };
  }
}

function inferDataType(data: TensorData): DataTypeName {
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Float64Array) return "float64";
  if (data instanceof Int32Array) return "int32";
  if (data instanceof BigInt64Array) return "int64";
  if (data instanceof Int8Array) return "int8";
  return "uint8";
}
