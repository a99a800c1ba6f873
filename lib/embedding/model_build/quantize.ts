/**
 * Static int8 quantization of a converted float32 CNN graph, written as QDQ
 * (`QuantizeLinear` → `DequantizeLinear` pairs) that onnxruntime fuses into `QLinearConv` /
 * `QLinearAdd` kernels.
 *
 * - **Weights**: nsfwjs stores every kernel as uint8 with a per-tensor `scale` and `min`
 *   (`value = q · scale + min`, `min` chosen so that 0 is a level: `zero_point = −min / scale` is an
 *   integer). Such a kernel is written as exactly those levels — int8 `q − 128` with zero point
 *   `zero_point − 128` — so the int8 weights equal the float32 model's weights. A kernel without
 *   source levels gets per-output-channel symmetric int8 (`scale_c = max|w_c| / 127`).
 * - **Biases**: int32 with scale `s_x · s_w` (per channel when the weight is), zero point 0.
 * - **Activations**: uint8, per tensor, `scale = (max − min) / 255` from calibration ranges
 *   ({@link ActivationRange}, measured on real images by `calibrate.ts`). A `Relu` / `Relu6`
 *   (`Clip(0, 6)`) right after a convolution is dropped and its range clamped to `[0, 6]` with
 *   zero point 0: quantization saturates exactly where the activation clips.
 *
 * Quantized tensors ({@link quantizationPoints}): the output of every `Conv` (after its activation)
 * and `Add`, and any other float tensor a `Conv` reads (the scaled network input). Pooling and the
 * output stay float32.
 *
 * Reference: Jacob et al., "Quantization and Training of Neural Networks for Efficient
 * Integer-Arithmetic-Only Inference", CVPR 2018; ONNX `QuantizeLinear` / `DequantizeLinear` (opset 13,
 * per-axis).
 * @module
 */

import { attr, type GraphProto, type NodeProto, type TensorProto } from "../onnx/mod.ts";

/** Calibrated value range of one activation tensor. */
export interface ActivationRange {
  min: number;
  max: number;
}

/** Per-tensor uint8 levels a weight came with (TF.js quantization). */
export interface SourceLevels {
  scale: number;
  min: number;
}

const isActivation = (n: NodeProto) => n.opType === "Relu" || n.opType === "Clip";

/** Consumers of each value. */
function consumers(graph: GraphProto): Map<string, NodeProto[]> {
  const out = new Map<string, NodeProto[]>();
  for (const n of graph.nodes) {
    for (const input of n.inputs) out.set(input, [...(out.get(input) ?? []), n]);
  }
  return out;
}

/** A convolution's activation node, when it is the convolution's only consumer. */
function fusedActivation(conv: NodeProto, users: Map<string, NodeProto[]>): NodeProto | undefined {
  const next = users.get(conv.outputs[0]) ?? [];
  return next.length === 1 && isActivation(next[0]) ? next[0] : undefined;
}

/**
 * The float tensors the quantized graph stores as uint8 (see module doc), with whether each is the
 * output of a clipping activation (`[0, 6]`, or `[0, ∞)` for `Relu`).
 */
export function quantizationPoints(graph: GraphProto): Map<string, { clip?: [number, number] }> {
  const users = consumers(graph);
  const initializers = new Set((graph.initializers ?? []).map((t) => t.name));
  const points = new Map<string, { clip?: [number, number] }>();
  for (const n of graph.nodes) {
    if (n.opType === "Conv") {
      const x = n.inputs[0];
      if (!initializers.has(x) && !points.has(x)) points.set(x, {});
      const act = fusedActivation(n, users);
      if (act === undefined) points.set(n.outputs[0], {});
      else points.set(act.outputs[0], { clip: act.opType === "Relu" ? [0, Infinity] : [0, 6] });
    } else if (n.opType === "Add") {
      points.set(n.outputs[0], {});
    }
  }
  return points;
}

/** uint8 scale and zero point covering `[min, max]` (widened to include 0). */
export function activationParameters(range: ActivationRange, clip?: [number, number]): {
  scale: number;
  zeroPoint: number;
} {
  let lo = Math.min(0, range.min), hi = Math.max(0, range.max);
  if (clip !== undefined) {
    lo = clip[0];
    hi = Math.min(hi, clip[1]);
  }
  if (!(hi > lo)) hi = lo + 1e-6;
  const scale = (hi - lo) / 255;
  return { scale, zeroPoint: Math.min(255, Math.max(0, Math.round(-lo / scale))) };
}

interface QuantizedWeight {
  data: Int8Array;
  scale: Float32Array;
  zeroPoint: Int8Array;
  perChannel: boolean;
}

/** The weight as int8 levels: exact source levels when given and integral, else per-channel symmetric. */
export function quantizeWeight(w: TensorProto, levels?: SourceLevels): QuantizedWeight {
  const values = w.data as Float32Array;
  if (levels !== undefined) {
    const zp = -levels.min / levels.scale;
    if (Math.abs(zp - Math.round(zp)) < 1e-3 && Math.round(zp) >= 0 && Math.round(zp) <= 255) {
      const z = Math.round(zp);
      const data = new Int8Array(values.length);
      for (let i = 0; i < values.length; i++) {
        const q = Math.round(values[i] / levels.scale + z);
        data[i] = Math.min(255, Math.max(0, q)) - 128;
      }
      return {
        data,
        scale: Float32Array.of(levels.scale),
        zeroPoint: Int8Array.of(z - 128),
        perChannel: false,
      };
    }
  }
  const channels = w.dims[0], per = values.length / channels;
  const scale = new Float32Array(channels);
  const data = new Int8Array(values.length);
  for (let c = 0; c < channels; c++) {
    let m = 0;
    for (let i = c * per; i < (c + 1) * per; i++) m = Math.max(m, Math.abs(values[i]));
    scale[c] = m > 0 ? m / 127 : 1;
    for (let i = c * per; i < (c + 1) * per; i++) data[i] = Math.round(values[i] / scale[c]);
  }
  return { data, scale, zeroPoint: new Int8Array(channels), perChannel: true };
}

/**
 * Rewrite a float32 graph as QDQ int8 (see module doc).
 *
 * @param ranges calibrated range of every tensor in {@link quantizationPoints}.
 * @param levels source uint8 levels of weight initializers, by initializer name.
 * @throws {Error} if a quantization point has no range.
 */
export function quantizeGraph(
  graph: GraphProto,
  ranges: ReadonlyMap<string, ActivationRange>,
  levels: ReadonlyMap<string, SourceLevels> = new Map(),
): GraphProto {
  const points = quantizationPoints(graph);
  const users = consumers(graph);
  const inits = new Map((graph.initializers ?? []).map((t) => [t.name, t]));
  const nodes: NodeProto[] = [];
  const initializers: TensorProto[] = [];
  const used = new Set<string>();
  const add = (t: TensorProto) => {
    initializers.push(t);
    used.add(t.name);
    return t.name;
  };
  const params = new Map<string, { scale: number; zeroPoint: number }>();
  // name of the float tensor → the name of its dequantized copy
  const dequantized = new Map<string, string>();

  const quantizeValue = (name: string) => {
    const range = ranges.get(name);
    if (range === undefined) throw new Error(`quantizeGraph: no calibration range for "${name}"`);
    const p = activationParameters(range, points.get(name)!.clip);
    params.set(name, p);
    const s = add({ name: `${name}_scale`, dataType: "float32", dims: [], data: Float32Array.of(p.scale) });
    const z = add({
      name: `${name}_zero_point`,
      dataType: "uint8",
      dims: [],
      data: Uint8Array.of(p.zeroPoint),
    });
    nodes.push({ opType: "QuantizeLinear", inputs: [name, s, z], outputs: [`${name}_q`], name: `${name}_Q` });
    nodes.push({
      opType: "DequantizeLinear",
      inputs: [`${name}_q`, s, z],
      outputs: [`${name}_dq`],
      name: `${name}_DQ`,
    });
    dequantized.set(name, `${name}_dq`);
  };
  const read = (name: string) => dequantized.get(name) ?? name;

  for (const input of graph.inputs) if (points.has(input.name)) quantizeValue(input.name);
  const dropped = new Set<NodeProto>();
  for (const n of graph.nodes) {
    if (dropped.has(n)) continue;
    if (n.opType === "Conv") {
      const act = fusedActivation(n, users);
      const x = n.inputs[0];
      if (!dequantized.has(x)) throw new Error(`quantizeGraph: Conv input "${x}" is not quantized`);
      const w = inits.get(n.inputs[1]);
      if (w === undefined || w.dataType !== "float32") {
        throw new Error(`Conv ${n.name}: weight is not a float initializer`);
      }
      const qw = quantizeWeight(w, levels.get(w.name));
      const axis = qw.perChannel ? { axis: attr.int(0) } : undefined;
      const wq = add({ name: `${w.name}_int8`, dataType: "int8", dims: w.dims, data: qw.data });
      const ws = add({
        name: `${w.name}_scale`,
        dataType: "float32",
        dims: qw.perChannel ? [qw.scale.length] : [],
        data: qw.scale,
      });
      const wz = add({
        name: `${w.name}_zero_point`,
        dataType: "int8",
        dims: qw.perChannel ? [qw.zeroPoint.length] : [],
        data: qw.zeroPoint,
      });
      nodes.push({
        opType: "DequantizeLinear",
        inputs: [wq, ws, wz],
        outputs: [`${w.name}_dq`],
        name: `${w.name}_DQ`,
        attributes: axis,
      });
      const inputs = [read(x), `${w.name}_dq`];
      const b = n.inputs[2] === undefined ? undefined : inits.get(n.inputs[2]);
      if (b !== undefined) {
        const sx = params.get(x)!.scale;
        const bias = b.data as Float32Array;
        const bs = Float32Array.from(bias, (_, c) => sx * qw.scale[qw.perChannel ? c : 0]);
        const bq = Int32Array.from(bias, (v, c) => Math.round(v / bs[c]));
        const bqName = add({ name: `${b.name}_int32`, dataType: "int32", dims: b.dims, data: bq });
        const bsName = add({ name: `${b.name}_scale`, dataType: "float32", dims: [bs.length], data: bs });
        const bzName = add({
          name: `${b.name}_zero_point`,
          dataType: "int32",
          dims: [bs.length],
          data: new Int32Array(bs.length),
        });
        nodes.push({
          opType: "DequantizeLinear",
          inputs: [bqName, bsName, bzName],
          outputs: [`${b.name}_dq`],
          name: `${b.name}_DQ`,
          attributes: { axis: attr.int(0) },
        });
        inputs.push(`${b.name}_dq`);
      }
      const out = act === undefined ? n.outputs[0] : act.outputs[0];
      nodes.push({ ...n, inputs, outputs: [out] });
      if (act !== undefined) dropped.add(act);
      quantizeValue(out);
      continue;
    }
    const inputs = n.inputs.map(read);
    for (const i of n.inputs) {
      const t = inits.get(i);
      if (t !== undefined && !used.has(i)) add(t);
    }
    nodes.push({ ...n, inputs });
    for (const out of n.outputs) if (points.has(out)) quantizeValue(out);
  }
  return {
    ...graph,
    name: `${graph.name}-int8`,
    nodes,
    initializers,
  };
}
