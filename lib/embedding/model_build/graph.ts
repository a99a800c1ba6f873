/**
 * Convert a TF.js "graph-model" (a frozen, grappler-optimised TensorFlow GraphDef, as nsfwjs's
 * MobileNetV2-1.4 ships it) into an ONNX feature extractor with the same interface as
 * {@link convertKerasModel}: NCHW `pixel_values` → network up to `outputNode` → global average
 * pool → `pooler_output`.
 *
 * Supported ops are exactly those that model uses: `Placeholder`, `Const`, `Mul`, `Sub`,
 * `AddV2`, `_FusedConv2D` / `FusedDepthwiseConv2dNative` with fused `BiasAdd` and optional
 * `Relu`/`Relu6`, `AvgPool`, `Squeeze`, `Identity`. Anything else is a clear error.
 * @module
 */

import { attr, type AttributeValue, encodeModel, GraphBuilder, type ModelProto } from "../onnx/mod.ts";
import type { SourceLevels } from "./quantize.ts";
import type { Weight } from "./tfjs.ts";

// deno-lint-ignore no-explicit-any
type TfNode = { name: string; op: string; input?: string[]; attr?: any };

const decodeString = (b64: string): string => atob(b64);

function intList(node: TfNode, key: string): number[] {
  return (node.attr?.[key]?.list?.i ?? []).map(Number);
}

function transposeConvKernel(w: Weight, depthwise: boolean): { data: Float32Array; dims: number[] } {
  const [kh, kw, cin, last] = w.shape;
  const data = new Float32Array(w.data.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let i = 0; i < cin; i++) {
        for (let o = 0; o < last; o++) {
          const src = w.data[((y * kw + x) * cin + i) * last + o];
          if (depthwise) data[((i * last + o) * kh + y) * kw + x] = src;
          else data[((o * cin + i) * kh + y) * kw + x] = src;
        }
      }
    }
  }
  return { data, dims: depthwise ? [cin * last, 1, kh, kw] : [last, cin, kh, kw] };
}

/** Options for {@link convertGraphModel}. */
export interface GraphConversionOptions {
  /** TF node whose output is pooled (e.g. ".../MobilenetV2/Conv_1/Relu6"); a suffix match is enough. */
  outputNode: string;
  name: string;
  metadata?: Record<string, string>;
}

/**
 * Convert; returns the ONNX model value, the embedding dimension, and the uint8 levels each
 * convolution kernel came with (by initializer name; `quantize.ts` writes them as int8 exactly).
 */
export function convertGraphModel(
  // deno-lint-ignore no-explicit-any
  modelTopology: any,
  weights: Map<string, Weight>,
  options: GraphConversionOptions,
): { model: ModelProto; dim: number; levels: Map<string, SourceLevels> } {
  const nodes: TfNode[] = modelTopology?.node;
  if (!Array.isArray(nodes)) throw new Error("not a TF.js graph model (no node list)");
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const target = nodes.find((n) =>
    n.name === options.outputNode || n.name.endsWith(`/${options.outputNode}`)
  );
  if (target === undefined) throw new Error(`graph node "${options.outputNode}" not found`);

  const needed = new Set<string>();
  const stack = [target.name];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (needed.has(name)) continue;
    needed.add(name);
    for (const input of byName.get(name)?.input ?? []) {
      stack.push(input.replace(/:\d+$/, "").replace(/^\^/, ""));
    }
  }

  const g = new GraphBuilder(options.name);
  const levels = new Map<string, SourceLevels>();
  const value = new Map<string, string>();
  const channels = new Map<string, number>();
  let n = 0;
  const constName = () => `const_${n++}`;

  for (const node of nodes) {
    if (!needed.has(node.name)) continue;
    const inputs = (node.input ?? []).map((i) => i.replace(/:\d+$/, ""));
    const constant = (name: string): Weight => {
      const w = weights.get(name);
      if (w === undefined) throw new Error(`node ${node.name}: constant ${name} has no weights`);
      return w;
    };
    const get = (name: string): string => {
      const v = value.get(name);
      if (v !== undefined) return v;
      const w = constant(name);
      const id = g.initializer(constName(), Float32Array.from(w.data), w.shape);
      value.set(name, id);
      return id;
    };
    let out: string;
    let c = channels.get(inputs[0]) ?? 0;
    switch (node.op) {
      case "Const":
        continue; // materialised on first use
      case "Placeholder": {
        const dims = node.attr.shape.shape.dim.map((d: { size: string }) => Number(d.size));
        c = dims[3];
        out = g.input("pixel_values", "float32", ["batch", c, "height", "width"]);
        break;
      }
      case "Mul":
      case "Sub":
      case "AddV2": {
        const op = node.op === "AddV2" ? "Add" : node.op;
        out = g.node(op, [get(inputs[0]), get(inputs[1])])[0];
        c = channels.get(inputs[0]) ?? channels.get(inputs[1]) ?? 0;
        break;
      }
      case "Identity":
        out = get(inputs[0]);
        break;
      case "_FusedConv2D":
      case "FusedDepthwiseConv2dNative": {
        const depthwise = node.op === "FusedDepthwiseConv2dNative";
        const fused = (node.attr.fused_ops?.list?.s ?? []).map(decodeString);
        if (fused[0] !== "BiasAdd" || fused.length > 2) {
          throw new Error(`node ${node.name}: fused ops ${fused.join("+")} not supported`);
        }
        if (decodeString(node.attr.data_format?.s ?? btoa("NHWC")) !== "NHWC") {
          throw new Error(`node ${node.name}: only NHWC supported`);
        }
        const kernel = constant(inputs[1]);
        const { data, dims } = transposeConvKernel(kernel, depthwise);
        const bias = constant(inputs[2]);
        const [, sh, sw] = intList(node, "strides");
        const dil = intList(node, "dilations");
        const [kh, kw] = [dims[2], dims[3]];
        const padding = decodeString(node.attr.padding.s);
        const attributes: Record<string, AttributeValue> = {
          kernel_shape: attr.ints([kh, kw]),
          strides: attr.ints([sh, sw]),
          dilations: attr.ints([dil[1] ?? 1, dil[2] ?? 1]),
          group: attr.int(depthwise ? kernel.shape[2] : 1),
        };
        if (padding === "SAME") {
          if (sh === 1 && sw === 1) {
            attributes.pads = attr.ints([(kh - 1) / 2, (kw - 1) / 2, (kh - 1) / 2, (kw - 1) / 2]);
          } else attributes.auto_pad = attr.string("SAME_UPPER");
        } else if (padding !== "VALID") {
          throw new Error(`node ${node.name}: padding ${padding} not supported`);
        }
        const kernelName = g.initializer(constName(), data, dims);
        if (kernel.levels !== undefined) levels.set(kernelName, kernel.levels);
        out = g.node("Conv", [
          get(inputs[0]),
          kernelName,
          g.initializer(constName(), Float32Array.from(bias.data), [dims[0]]),
        ], attributes)[0];
        if (fused[1] === "Relu") out = g.node("Relu", [out])[0];
        else if (fused[1] === "Relu6") {
          out = g.node("Clip", [out, g.floats(constName(), [0], []), g.floats(constName(), [6], [])])[0];
        } else if (fused[1] !== undefined) {
          throw new Error(`node ${node.name}: activation ${fused[1]} not supported`);
        }
        c = dims[0];
        break;
      }
      case "AvgPool": {
        const k = intList(node, "ksize"), s = intList(node, "strides");
        const attributes: Record<string, AttributeValue> = {
          kernel_shape: attr.ints([k[1], k[2]]),
          strides: attr.ints([s[1], s[2]]),
        };
        if (decodeString(node.attr.padding.s) === "SAME") attributes.auto_pad = attr.string("SAME_UPPER");
        out = g.node("AveragePool", [get(inputs[0])], attributes)[0];
        break;
      }
      case "Squeeze":
        out = g.node("Flatten", [get(inputs[0])], { axis: attr.int(1) })[0];
        break;
      default:
        throw new Error(`node ${node.name}: TF op ${node.op} not supported by the converter`);
    }
    value.set(node.name, out);
    channels.set(node.name, c);
  }

  const dim = channels.get(target.name)!;
  let features = value.get(target.name)!;
  if (target.op !== "Squeeze") {
    features = g.node("Flatten", [g.node("GlobalAveragePool", [features])[0]], { axis: attr.int(1) })[0];
  }
  g.output(features, "float32", ["batch", dim], "pooler_output");
  return {
    model: {
      graph: g.build(),
      docString: `${options.name}: TF node ${target.name}, pooled`,
      metadata: options.metadata,
    },
    dim,
    levels,
  };
}

/** Convert and encode in one step. */
export function encodeGraphModel(
  // deno-lint-ignore no-explicit-any
  modelTopology: any,
  weights: Map<string, Weight>,
  options: GraphConversionOptions,
): { bytes: Uint8Array; dim: number } {
  const { model, dim } = convertGraphModel(modelTopology, weights, options);
  return { bytes: encodeModel(model), dim };
}
