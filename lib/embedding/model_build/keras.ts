/**
 * Convert a Keras functional model (TF.js "layers-model" JSON + dequantized weights) into an
 * ONNX feature extractor: NCHW input `pixel_values`, the network up to a chosen layer, then
 * global average pooling → output `pooler_output` of shape `[batch, channels]`.
 *
 * Layout: Keras is NHWC, ONNX Conv is NCHW, so kernels are transposed
 * (`Conv2D` `[kh, kw, in, out]` → `[out, in, kh, kw]`; `DepthwiseConv2D` `[kh, kw, in, m]` →
 * `[in·m, 1, kh, kw]` with `group = in`) and channel axes become 1.
 *
 * Batch normalisation directly after a convolution is folded into it:
 * `s = γ / √(σ² + ε)`, `W' = W · s` (per output channel), `b' = (b − μ) · s + β`.
 * TF "same" padding puts the extra row/column at the end, which is ONNX `SAME_UPPER`.
 * @module
 */

import { attr, encodeModel, GraphBuilder, type ModelProto } from "../onnx/mod.ts";
import type { Weight } from "./tfjs.ts";

/** Options for {@link convertKerasModel}. */
export interface KerasConversionOptions {
  /** Layer whose output is pooled into the embedding (e.g. "out_relu", "mixed10"). */
  outputLayer: string;
  /** Graph name and metadata. */
  name: string;
  metadata?: Record<string, string>;
}

// deno-lint-ignore no-explicit-any
type KerasLayer = { class_name: string; name?: string; config: any; inbound_nodes: any[] };

function layerName(layer: KerasLayer): string {
  return layer.name ?? layer.config.name;
}

function inboundNames(layer: KerasLayer): string[] {
  if (layer.inbound_nodes.length === 0) return [];
  if (layer.inbound_nodes.length > 1) throw new Error(`layer ${layerName(layer)} is shared; not supported`);
  // deno-lint-ignore no-explicit-any
  return layer.inbound_nodes[0].map((entry: any[]) => entry[0] as string);
}

function need(weights: Map<string, Weight>, name: string): Weight {
  const w = weights.get(name);
  if (w === undefined) throw new Error(`weight "${name}" is missing from the weights manifest`);
  return w;
}

function pair(v: number | number[]): [number, number] {
  return typeof v === "number" ? [v, v] : [v[0], v[1]];
}

/** `[kh, kw, in, out]` → `[out, in, kh, kw]`. */
function transposeConvKernel(w: Weight): { data: Float32Array; dims: number[] } {
  const [kh, kw, cin, cout] = w.shape;
  const data = new Float32Array(w.data.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let i = 0; i < cin; i++) {
        for (let o = 0; o < cout; o++) {
          data[((o * cin + i) * kh + y) * kw + x] = w.data[((y * kw + x) * cin + i) * cout + o];
        }
      }
    }
  }
  return { data, dims: [cout, cin, kh, kw] };
}

/** `[kh, kw, in, m]` → `[in·m, 1, kh, kw]`. */
function transposeDepthwiseKernel(w: Weight): { data: Float32Array; dims: number[] } {
  const [kh, kw, cin, mult] = w.shape;
  const data = new Float32Array(w.data.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let i = 0; i < cin; i++) {
        for (let m = 0; m < mult; m++) {
          data[((i * mult + m) * kh + y) * kw + x] = w.data[((y * kw + x) * cin + i) * mult + m];
        }
      }
    }
  }
  return { data, dims: [cin * mult, 1, kh, kw] };
}

/** Convert; returns the ONNX model value (encode it with `encodeModel`). */
export function convertKerasModel(
  // deno-lint-ignore no-explicit-any
  modelTopology: any,
  weights: Map<string, Weight>,
  options: KerasConversionOptions,
): { model: ModelProto; dim: number } {
  const layers: KerasLayer[] = modelTopology?.model_config?.config?.layers;
  if (!Array.isArray(layers)) throw new Error("not a Keras functional model (no model_config.config.layers)");
  const byName = new Map(layers.map((l) => [layerName(l), l]));
  if (!byName.has(options.outputLayer)) {
    throw new Error(`layer "${options.outputLayer}" not found; layers: ${[...byName.keys()].join(", ")}`);
  }
  // Only the layers the output depends on are converted (everything after it is ignored).
  const needed = new Set<string>();
  const stack = [options.outputLayer];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (needed.has(name)) continue;
    needed.add(name);
    stack.push(...inboundNames(byName.get(name)!));
  }
  const consumers = new Map<string, string[]>();
  for (const l of layers) {
    if (!needed.has(layerName(l))) continue;
    for (const src of inboundNames(l)) consumers.set(src, [...(consumers.get(src) ?? []), layerName(l)]);
  }

  const g = new GraphBuilder(options.name);
  const value = new Map<string, string>(); // Keras layer name → ONNX value name
  const channels = new Map<string, number>();
  const folded = new Set<string>();

  for (const layer of layers) {
    const name = layerName(layer);
    if (!needed.has(name) || folded.has(name)) continue;
    const cfg = layer.config;
    const inputs = inboundNames(layer).map((n) => {
      const v = value.get(n);
      if (v === undefined) throw new Error(`layer ${name} reads ${n} before it is converted`);
      return v;
    });
    const inChannels = inboundNames(layer).map((n) => channels.get(n)!);
    let out: string;
    let outChannels = inChannels[0];
    switch (layer.class_name) {
      case "InputLayer": {
        const shape = cfg.batch_input_shape as (number | null)[];
        g.input("pixel_values", "float32", ["batch", shape[3], "height", "width"]);
        out = "pixel_values";
        outChannels = shape[3]!;
        break;
      }
      case "ZeroPadding2D": {
        const [[top, bottom], [left, right]] = cfg.padding as number[][];
        out = g.node("Pad", [inputs[0], g.int64s(`${name}_pads`, [0, 0, top, left, 0, 0, bottom, right])])[0];
        break;
      }
      case "Conv2D":
      case "DepthwiseConv2D": {
        const depthwise = layer.class_name === "DepthwiseConv2D";
        const kernel = need(weights, `${name}/${depthwise ? "depthwise_kernel" : "kernel"}`);
        const { data: w, dims } = depthwise ? transposeDepthwiseKernel(kernel) : transposeConvKernel(kernel);
        const cout = dims[0];
        const bias = cfg.use_bias
          ? Float32Array.from(need(weights, `${name}/bias`).data)
          : new Float32Array(cout);
        // Fold a following BatchNormalization that only this layer feeds.
        const next = consumers.get(name) ?? [];
        let result = name;
        if (next.length === 1 && byName.get(next[0])!.class_name === "BatchNormalization") {
          const bn = byName.get(next[0])!;
          const eps: number = bn.config.epsilon;
          const gamma = bn.config.scale ? need(weights, `${next[0]}/gamma`).data : undefined;
          const beta = bn.config.center ? need(weights, `${next[0]}/beta`).data : undefined;
          const mean = need(weights, `${next[0]}/moving_mean`).data;
          const variance = need(weights, `${next[0]}/moving_variance`).data;
          const perOut = w.length / cout;
          for (let o = 0; o < cout; o++) {
            const s = (gamma ? gamma[o] : 1) / Math.sqrt(variance[o] + eps);
            for (let k = 0; k < perOut; k++) w[o * perOut + k] *= s;
            bias[o] = (bias[o] - mean[o]) * s + (beta ? beta[o] : 0);
          }
          folded.add(next[0]);
          result = next[0];
        }
        const [kh, kw] = pair(cfg.kernel_size);
        const [sh, sw] = pair(cfg.strides);
        const [dh, dw] = pair(cfg.dilation_rate ?? 1);
        const attributes: Record<string, ReturnType<typeof attr.int>> = {
          kernel_shape: attr.ints([kh, kw]),
          strides: attr.ints([sh, sw]),
          dilations: attr.ints([dh, dw]),
          group: attr.int(depthwise ? inChannels[0] : 1),
        };
        if (cfg.padding === "same") {
          if (sh === 1 && sw === 1 && kh % 2 === 1 && kw % 2 === 1) {
            const ph = ((kh - 1) * dh) / 2, pw = ((kw - 1) * dw) / 2;
            attributes.pads = attr.ints([ph, pw, ph, pw]);
          } else {
            attributes.auto_pad = attr.string("SAME_UPPER");
          }
        } else if (cfg.padding !== "valid") {
          throw new Error(`layer ${name}: padding "${cfg.padding}" not supported`);
        }
        const conv = g.node("Conv", [
          inputs[0],
          g.initializer(`${name}_W`, w, dims),
          g.initializer(`${name}_B`, bias, [cout]),
        ], attributes)[0];
        out = activation(g, conv, cfg.activation, name);
        outChannels = cout;
        value.set(name, out);
        channels.set(name, outChannels);
        if (result !== name) {
          value.set(result, out);
          channels.set(result, outChannels);
        }
        continue;
      }
      case "BatchNormalization": {
        const c = inChannels[0];
        const gamma = cfg.scale ? need(weights, `${name}/gamma`).data : new Float32Array(c).fill(1);
        const beta = cfg.center ? need(weights, `${name}/beta`).data : new Float32Array(c);
        out = g.node("BatchNormalization", [
          inputs[0],
          g.initializer(`${name}_gamma`, Float32Array.from(gamma)),
          g.initializer(`${name}_beta`, Float32Array.from(beta)),
          g.initializer(`${name}_mean`, Float32Array.from(need(weights, `${name}/moving_mean`).data)),
          g.initializer(`${name}_var`, Float32Array.from(need(weights, `${name}/moving_variance`).data)),
        ], { epsilon: attr.float(cfg.epsilon) })[0];
        break;
      }
      case "ReLU": {
        if ((cfg.negative_slope ?? 0) !== 0 || (cfg.threshold ?? 0) !== 0) {
          throw new Error(`layer ${name}: leaky/thresholded ReLU not supported`);
        }
        out = cfg.max_value == null ? g.node("Relu", [inputs[0]])[0] : g.node("Clip", [
          inputs[0],
          g.floats(`${name}_min`, [0], []),
          g.floats(`${name}_max`, [cfg.max_value], []),
        ])[0];
        break;
      }
      case "Activation":
        out = activation(g, inputs[0], cfg.activation, name);
        break;
      case "Add":
        out = inputs.slice(1).reduce((acc, v) => g.node("Add", [acc, v])[0], inputs[0]);
        break;
      case "Concatenate": {
        const axis = cfg.axis === -1 || cfg.axis === 3 ? 1 : undefined;
        if (axis === undefined) throw new Error(`layer ${name}: concat axis ${cfg.axis} not supported`);
        out = g.node("Concat", inputs, { axis: attr.int(axis) })[0];
        outChannels = inChannels.reduce((a, b) => a + b, 0);
        break;
      }
      case "MaxPooling2D":
      case "AveragePooling2D": {
        const [ph, pw] = pair(cfg.pool_size);
        const [sh, sw] = pair(cfg.strides ?? cfg.pool_size);
        const attributes: Record<string, ReturnType<typeof attr.int>> = {
          kernel_shape: attr.ints([ph, pw]),
          strides: attr.ints([sh, sw]),
        };
        // TF averages over valid pixels only at "same" borders: count_include_pad = 0 (default).
        if (cfg.padding === "same") attributes.auto_pad = attr.string("SAME_UPPER");
        out =
          g.node(layer.class_name === "MaxPooling2D" ? "MaxPool" : "AveragePool", [inputs[0]], attributes)[0];
        break;
      }
      case "GlobalAveragePooling2D":
        out = g.node("GlobalAveragePool", [inputs[0]])[0];
        break;
      case "Dropout":
        out = inputs[0];
        break;
      default:
        throw new Error(`layer ${name}: Keras layer type ${layer.class_name} not supported by the converter`);
    }
    value.set(name, out);
    channels.set(name, outChannels);
  }

  const features = value.get(options.outputLayer)!;
  const dim = channels.get(options.outputLayer)!;
  const pooled = g.node("GlobalAveragePool", [features])[0];
  const flat = g.node("Flatten", [pooled], { axis: attr.int(1) })[0];
  g.output(flat, "float32", ["batch", dim], "pooler_output");
  return {
    model: {
      graph: g.build(),
      producerName: "setsim",
      docString: `${options.name}: Keras layer ${options.outputLayer}, global average pooled`,
      metadata: options.metadata,
    },
    dim,
  };
}

function activation(g: GraphBuilder, input: string, kind: string | undefined, layer: string): string {
  switch (kind ?? "linear") {
    case "linear":
      return input;
    case "relu":
      return g.node("Relu", [input])[0];
    case "relu6":
      return g.node("Clip", [input, g.floats(`${layer}_min`, [0], []), g.floats(`${layer}_max`, [6], [])])[0];
    case "sigmoid":
      return g.node("Sigmoid", [input])[0];
    case "softmax":
      return g.node("Softmax", [input], { axis: attr.int(1) })[0];
    default:
      throw new Error(`layer ${layer}: activation ${kind} not supported`);
  }
}

/** Convert and encode in one step. */
export function encodeKerasModel(
  // deno-lint-ignore no-explicit-any
  modelTopology: any,
  weights: Map<string, Weight>,
  options: KerasConversionOptions,
): { bytes: Uint8Array; dim: number } {
  const { model, dim } = convertKerasModel(modelTopology, weights, options);
  return { bytes: encodeModel(model), dim };
}
