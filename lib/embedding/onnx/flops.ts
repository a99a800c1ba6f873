/**
 * Floating-point operations of one forward pass of a CNN graph, from its shapes: the physical
 * floor under an embedding model's cost.
 *
 * Counting convention (the usual one for CNNs): a multiply-add is 2 FLOPs. `Conv`:
 * `2 · Cout · (Cin / group) · kh · kw · Hout · Wout` (+ `Cout · Hout · Wout` for the bias);
 * `Add`/`Sub`/`Mul`/`Clip`/`Relu`: 1 per output element; `AveragePool` / `GlobalAveragePool`: 1 per
 * input element. Shapes are propagated from the input through the operators the converters write;
 * an operator it does not know is an error rather than a silent zero.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GraphBuilder } from "./mod.ts";
 * import { countFlops } from "./flops.ts";
 * const g = new GraphBuilder("conv");
 * const x = g.input("x", "float32", [1, 3, 8, 8]);
 * const w = g.initializer("w", new Float32Array(4 * 3 * 3 * 3), [4, 3, 3, 3]);
 * g.output(g.node("Conv", [x, w], {})[0], "float32");
 * // 2 (multiply-add) · 4 filters · 3 channels · 3·3 taps · 6·6 outputs (valid padding)
 * assert.equal(countFlops(g.build(), [1, 3, 8, 8]).total, 2 * 4 * 3 * 9 * 6 * 6);
 * ```
 * @module
 */

import type { AttributeValue, GraphProto } from "./mod.ts";

/** FLOPs of a graph, in total and by operator type. */
export interface FlopCount {
  total: number;
  byOp: Record<string, number>;
}

const ints = (a: AttributeValue | undefined): number[] | undefined =>
  a?.type === "ints" ? a.value.map(Number) : undefined;

function outputSize(
  input: number,
  kernel: number,
  stride: number,
  dilation: number,
  pad: number,
  same: boolean,
) {
  if (same) return Math.ceil(input / stride);
  return Math.floor((input + pad - dilation * (kernel - 1) - 1) / stride) + 1;
}

/** Count the FLOPs of one pass of `graph` on an input of shape `inputShape` (NCHW). */
export function countFlops(graph: GraphProto, inputShape: number[]): FlopCount {
  const shapes = new Map<string, number[]>();
  shapes.set(graph.inputs[0].name, inputShape);
  for (const t of graph.initializers ?? []) shapes.set(t.name, t.dims);
  const byOp: Record<string, number> = {};
  const count = (op: string, flops: number) => (byOp[op] = (byOp[op] ?? 0) + flops);
  const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
  for (const n of graph.nodes) {
    const input = shapes.get(n.inputs[0]);
    if (input === undefined) throw new Error(`countFlops: no shape for "${n.inputs[0]}" (node ${n.name})`);
    const a = n.attributes ?? {};
    let out: number[];
    switch (n.opType) {
      case "Conv":
      case "AveragePool":
      case "MaxPool": {
        const [batch, cin, h, w] = input;
        const weight = n.opType === "Conv" ? shapes.get(n.inputs[1])! : undefined;
        const kernel = ints(a.kernel_shape) ?? [weight![2], weight![3]];
        const strides = ints(a.strides) ?? [1, 1];
        const dilations = ints(a.dilations) ?? [1, 1];
        const pads = ints(a.pads) ?? [0, 0, 0, 0];
        const same = a.auto_pad?.type === "string" && a.auto_pad.value.startsWith("SAME");
        const ho = outputSize(h, kernel[0], strides[0], dilations[0], pads[0] + pads[2], same);
        const wo = outputSize(w, kernel[1], strides[1], dilations[1], pads[1] + pads[3], same);
        if (weight !== undefined) {
          const group = a.group?.type === "int" ? Number(a.group.value) : 1;
          const cout = weight[0];
          out = [batch, cout, ho, wo];
          count("Conv", 2 * cout * (cin / group) * kernel[0] * kernel[1] * ho * wo * batch);
          if (n.inputs[2] !== undefined) count("Conv", cout * ho * wo * batch);
        } else {
          out = [batch, cin, ho, wo];
          count(n.opType, size(out) * kernel[0] * kernel[1]);
        }
        break;
      }
      case "GlobalAveragePool":
        out = [input[0], input[1], 1, 1];
        count(n.opType, size(input));
        break;
      case "Add":
      case "Sub":
      case "Mul":
      case "Div": {
        const other = shapes.get(n.inputs[1]) ?? [];
        out = size(other) > size(input) ? other : input;
        count(n.opType, size(out));
        break;
      }
      case "Relu":
      case "Clip":
        out = input;
        count(n.opType, size(out));
        break;
      case "Identity":
        out = input;
        break;
      case "Flatten":
        out = [input[0], size(input) / input[0]];
        break;
      default:
        throw new Error(`countFlops: operator ${n.opType} (node ${n.name}) is not counted`);
    }
    shapes.set(n.outputs[0], out);
  }
  return { total: Object.values(byOp).reduce((s, v) => s + v, 0), byOp };
}
