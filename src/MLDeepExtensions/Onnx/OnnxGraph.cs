using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using static TorchSharp.torch;

namespace MLDeepExtensions.Onnx;

/// <summary>
/// Our side of an ONNX export: the graph ML.NET's converter is building, seen through the few operations a network
/// needs (nodes of the standard domain, constants, weights, the pipeline's columns). ML.NET's internal
/// <c>OnnxContext</c> stays behind this class. Every op used is defined the same way in opsets 9 to 12, the ones
/// ML.NET's converter writes; ops that need more say so with <see cref="RequireOpset"/>.
/// </summary>
internal sealed class OnnxGraph
{
    /// <summary>
    /// Starts the name of every variable and constant we add. ML.NET's context maps each new name as if it were a column,
    /// so a plain "Relu" or "steps" would hide a pipeline column of that name from the steps after the network.
    /// </summary>
    private const string Prefix = "network.";

    private readonly OnnxContext _context;

    public OnnxGraph(OnnxContext context, string owner)
    {
        _context = context;
        Owner = owner;
    }

    /// <summary>The transformer being exported, named in errors.</summary>
    public string Owner { get; }

    /// <summary>The variable holding pipeline column <paramref name="column"/> at this point of the graph.</summary>
    /// <exception cref="NotSupportedException">No step before the network produced the column in the graph.</exception>
    public string Column(string column)
    {
        if (!_context.ContainsColumn(column))
            throw new NotSupportedException($"The {Owner} reads column '{column}', which is not in the ONNX graph: a transform before it in the pipeline " +
                "cannot be exported to ONNX (ML.NET stopped there). Export the pipeline from the first step that ONNX supports, or compute that column before the exported pipeline.");
        return _context.GetVariableName(column);
    }

    /// <summary>Publishes <paramref name="value"/> as pipeline column <paramref name="column"/> of <paramref name="type"/>, for later steps and the graph's outputs.</summary>
    public void SetColumn(string column, DataViewType type, string value)
    {
        string variable = _context.AddIntermediateVariable(type, column);
        _context.CreateNode("Identity", value, variable, _context.GetNodeName("Identity"), "");
    }

    /// <summary>Throws ML.NET's opset error naming <paramref name="what"/> when the export's opset is below <paramref name="opset"/>.</summary>
    public void RequireOpset(int opset, string what) => _context.CheckOpSetVersion(opset, what);

    /// <summary>Adds a node of the standard ONNX domain with one output; attributes are long, float, string, long[] or float[].</summary>
    public string Op(string op, IReadOnlyList<string> inputs, params (string Name, object Value)[] attributes)
        => Op(op, inputs, 1, attributes)[0];

    /// <summary>Adds a node of the standard domain with <paramref name="outputs"/> outputs and returns their names.</summary>
    public string[] Op(string op, IReadOnlyList<string> inputs, int outputs, params (string Name, object Value)[] attributes)
    {
        var names = Enumerable.Range(0, outputs).Select(_ => _context.AddIntermediateVariable(null!, Prefix + op, skip: true)).ToArray();
        var node = _context.CreateNode(op, inputs, names, _context.GetNodeName(op), "");
        foreach (var (name, value) in attributes)
        {
            switch (value)
            {
                case long l: node.AddAttribute(name, l); break;
                case int i: node.AddAttribute(name, (long)i); break;
                case float f: node.AddAttribute(name, (double)f); break;
                case double d: node.AddAttribute(name, d); break;
                case string s: node.AddAttribute(name, s); break;
                case long[] ls: node.AddAttribute(name, ls); break;
                case float[] fs: node.AddAttribute(name, fs); break;
                case string[] ss: node.AddAttribute(name, ss); break;
                default: throw new ArgumentException($"ONNX attribute '{name}' has an unsupported value type {value?.GetType().Name}.");
            }
        }
        return names;
    }

    /// <summary>A node with one input and one output.</summary>
    public string Op(string op, string input, params (string Name, object Value)[] attributes) => Op(op, [input], attributes);

    /// <summary>A float constant of shape <paramref name="dims"/>.</summary>
    public string Floats(float[] values, long[] dims, string name = "const") => _context.AddInitializer(values, dims, Prefix + name);

    /// <summary>A scalar float constant (shape []), broadcast by the arithmetic ops.</summary>
    public string Float(float value, string name = "const") => _context.AddInitializer(value, Prefix + name);

    /// <summary>A scalar int64 constant (shape []).</summary>
    public string Int64(long value, string name = "const") => _context.AddInitializer(value, Prefix + name);

    /// <summary>An int64 constant; a 1-D list unless <paramref name="dims"/> says otherwise.</summary>
    public string Int64s(long[] values, long[]? dims = null, string name = "shape") => _context.AddInitializer(values, dims ?? [values.Length], Prefix + name);

    /// <summary>A copy of <paramref name="tensor"/> (any device) as a float constant of its shape.</summary>
    public string Weights(Tensor tensor, string name)
    {
        using var scope = NewDisposeScope();
        var values = tensor.detach().cpu().to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
        return Floats(values, tensor.shape, name);
    }

    /// <summary>Reshape to <paramref name="shape"/> (0 keeps the input's dimension, −1 takes what is left).</summary>
    public string Reshape(string input, params long[] shape) => Op("Reshape", [input, Int64s(shape)]);

    /// <summary>Permutes the dimensions.</summary>
    public string Transpose(string input, params long[] permutation) => Op("Transpose", input, ("perm", permutation));

    /// <summary>The elements at <paramref name="indices"/> along <paramref name="axis"/> (a list keeps the axis; one index as a scalar drops it).</summary>
    public string Gather(string input, long axis, params long[] indices) => Op("Gather", [input, Int64s(indices)], ("axis", axis));

    /// <summary>The elements at <paramref name="index"/> along <paramref name="axis"/>, that axis dropped.</summary>
    public string GatherAt(string input, long axis, long index) => Op("Gather", [input, Int64(index, "index")], ("axis", axis));

    /// <summary>The elements at the indices held in variable <paramref name="indices"/> along <paramref name="axis"/>.</summary>
    public string Gather(string input, string indices, long axis) => Op("Gather", [input, indices], ("axis", axis));

    /// <summary>Casts to ONNX data type <paramref name="to"/> (1 float, 6 int32, 7 int64, 9 bool, 12 uint32).</summary>
    public string Cast(string input, long to) => Op("Cast", input, ("to", to));

    public string Add(string a, string b) => Op("Add", [a, b]);

    public string Sub(string a, string b) => Op("Sub", [a, b]);

    public string Mul(string a, string b) => Op("Mul", [a, b]);

    public string Div(string a, string b) => Op("Div", [a, b]);

    public string Unsqueeze(string input, params long[] axes) => Op("Unsqueeze", input, ("axes", axes));

    public string Squeeze(string input, params long[] axes) => Op("Squeeze", input, ("axes", axes));

    /// <summary>Where(condition, a, b).</summary>
    public string Where(string condition, string a, string b) => Op("Where", [condition, a, b]);

    public string Concat(long axis, params string[] inputs) => Op("Concat", inputs, ("axis", axis));

    /// <summary>Sum over <paramref name="axis"/>, keeping the dimension when <paramref name="keep"/>.</summary>
    public string ReduceSum(string input, long axis, bool keep)
        => Op("ReduceSum", input, ("axes", new[] { axis }), ("keepdims", keep ? 1L : 0L));

    /// <summary>ONNX data types used with <see cref="Cast"/>.</summary>
    public static class Types
    {
        public const long Float = 1;
        public const long Int32 = 6;
        public const long Int64 = 7;
        public const long Bool = 9;
        public const long UInt32 = 12;
    }
}
