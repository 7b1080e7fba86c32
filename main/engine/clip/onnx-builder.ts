/**
 * A small builder for ONNX graphs over onnx-proto: named float initializers, int64/float
 * constants, nodes with typed attributes, graph inputs/outputs with symbolic dimensions.
 * Used by onnx-export.ts to write CLIP's towers; opset 17 (LayerNormalization).
 *
 * @example
 *   const g = new OnnxGraphBuilder();
 *   const y = g.node('MatMul', ['x', g.initializer('w', [4, 2], data)]);
 *   const bytes = g.toModel('demo', [floatInput('x', ['batch', 4])], [floatOutput(y, 'y', ['batch', 2])]);
 */
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';

/** The onnx-proto namespace (a CommonJS module: reached through its default export). */
export const onnx = onnxProto.onnx;

/** The opset the CLIP graphs use: 17 is the first with LayerNormalization. */
export const OPSET = 17;

/** An attribute value, tagged by its ONNX type. */
export type OnnxAttr = { i: number } | { f: number } | { ints: number[] };

/** A graph input or output: a name, an element type and a shape (strings are symbolic dims). */
export interface OnnxValue {
  name: string;
  elemType: 'float32' | 'int64';
  shape: (number | string)[];
}

const ELEM = { float32: onnx.TensorProto.DataType.FLOAT, int64: onnx.TensorProto.DataType.INT64 } as const;

function valueInfo(value: OnnxValue): OnnxTypes.IValueInfoProto {
  const dim = value.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name: value.name, type: { tensorType: { elemType: ELEM[value.elemType], shape: { dim } } } };
}

function attribute(name: string, value: OnnxAttr): OnnxTypes.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if ('i' in value) return { name, type: T.INT, i: value.i };
  if ('f' in value) return { name, type: T.FLOAT, f: value.f };
  return { name, type: T.INTS, ints: value.ints };
}

/** Float32 values as little-endian bytes (`raw_data`), as exporters write them. */
function rawFloat32(data: Float32Array): Uint8Array {
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i]!, true);
  return out;
}

/** Accumulates nodes and initializers of one graph. */
export class OnnxGraphBuilder {
  private readonly nodes: OnnxTypes.INodeProto[] = [];
  private readonly initializers: OnnxTypes.ITensorProto[] = [];
  private counter = 0;

  /** A fresh value name, `/op_N`. */
  private fresh(op: string): string {
    return `/${op}_${this.counter++}`;
  }

  /** A float32 initializer under `name` (e.g. an HF weight name); returns the name. */
  initializer(name: string, shape: readonly number[], data: Float32Array): string {
    this.initializers.push({ name, dims: [...shape], dataType: ELEM.float32, rawData: rawFloat32(data) });
    return name;
  }

  /** An int64 constant (shape [] for a scalar). */
  int64(values: readonly number[], shape: readonly number[] = [values.length]): string {
    const name = this.fresh('const_i64');
    this.initializers.push({ name, dims: [...shape], dataType: ELEM.int64, int64Data: [...values] });
    return name;
  }

  /** A float32 constant (shape [] for a scalar). */
  float(values: readonly number[], shape: readonly number[] = [values.length]): string {
    const name = this.fresh('const_f32');
    this.initializers.push({ name, dims: [...shape], dataType: ELEM.float32, floatData: [...values] });
    return name;
  }

  /** Adds a node with one output; returns the output's name. */
  node(op: string, inputs: readonly string[], attrs: Record<string, OnnxAttr> = {}, output?: string): string {
    const out = output ?? this.fresh(op);
    const attributeList = Object.entries(attrs).map(([name, value]) => attribute(name, value));
    this.nodes.push({ opType: op, name: `${out}_node`, input: [...inputs], output: [out], attribute: attributeList });
    return out;
  }

  /** Adds a node with several named outputs (TopK: values and indices). */
  nodeWithOutputs(op: string, inputs: readonly string[], outputs: readonly string[], attrs: Record<string, OnnxAttr> = {}): readonly string[] {
    const attributeList = Object.entries(attrs).map(([name, value]) => attribute(name, value));
    this.nodes.push({ opType: op, name: `${outputs[0]}_node`, input: [...inputs], output: [...outputs], attribute: attributeList });
    return outputs;
  }

  /** Serialises the graph as a model (IR 8, opset 17). */
  toModel(graphName: string, inputs: readonly OnnxValue[], outputs: readonly OnnxValue[]): Uint8Array {
    const graph: OnnxTypes.IGraphProto = {
      name: graphName,
      node: this.nodes,
      initializer: this.initializers,
      input: inputs.map(valueInfo),
      output: outputs.map(valueInfo),
    };
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'lafite-studio',
      opsetImport: [{ domain: '', version: OPSET }],
      graph,
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
