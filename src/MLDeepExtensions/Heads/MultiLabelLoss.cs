using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLDeepExtensions.Data;
using static TorchSharp.torch;

namespace MLDeepExtensions.Heads;

/// <summary>
/// A multi-label row's labels: a known-size vector of Boolean, or of Single in [0, 1] (values between are soft
/// targets), read as <paramref name="labels"/> floats; targets [rows, labels] (Float32).
/// </summary>
internal sealed class MultiLabelSource(string columnName, string? weightColumnName, int labels, bool boolean) : LabelSource(columnName, weightColumnName)
{
    public override int Width => labels;

    private protected override LabelReader CreateLabelReader(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        if (boolean)
        {
            var flagsGetter = cursor.GetGetter<VBuffer<bool>>(column);
            var flags = default(VBuffer<bool>);
            return destination =>
            {
                flagsGetter(ref flags);
                if (flags.Length != labels)
                    throw SchemaChecks.WrongLength("label", column.Name, cursor.Position, labels, flags.Length);
                destination.Clear();
                foreach (var (slot, value) in flags.Items())
                    destination[slot] = value ? 1f : 0f;
                return true;
            };
        }
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        var vector = default(VBuffer<float>);
        return destination =>
        {
            getter(ref vector);
            SchemaChecks.CopyExact(vector, destination, "label", column.Name, cursor.Position);
            foreach (float value in destination)
            {
                if (value < 0 || value > 1)
                    throw new ArgumentException(FormattableString.Invariant($"Label column '{column.Name}' has {value} in row {cursor.Position}; a multi-label label holds 0 or 1 per label (values between are soft targets)."));
            }
            return FeatureEncoder.AllFinite(destination);
        };
    }

    private protected override Tensor Targets(float[] values, int rows) => tensor(values, stackalloc long[] { rows, labels });

    private protected override Tensor TargetsFrom(Tensor floats) => floats;
}

/// <summary>
/// Binary cross entropy on each label's logit, averaged over labels; optionally a weight on each label's positives
/// (PyTorch's pos_weight), and targets t smoothed to t(1 − ε) + ε / 2 (Keras's label smoothing).
/// </summary>
internal sealed class MultiLabelLoss : HeadLoss
{
    private readonly Tensor? _positiveWeights;
    private readonly float _smoothing;

    public MultiLabelLoss(LabelSource label, IReadOnlyList<float>? positiveWeights, float smoothing, Device device) : base(label)
    {
        _positiveWeights = OwnedWeights(positiveWeights, device);
        _smoothing = smoothing;
    }

    private protected override Tensor Mean(Tensor output, Tensor targets)
        => nn.functional.binary_cross_entropy_with_logits(output, SmoothedBinaryTargets(targets, _smoothing), pos_weights: _positiveWeights);

    private protected override (Tensor Losses, Tensor? Weights) RowLosses(Tensor output, Tensor targets)
        => (nn.functional.binary_cross_entropy_with_logits(output, SmoothedBinaryTargets(targets, _smoothing), reduction: nn.Reduction.None, pos_weights: _positiveWeights).mean([1]), null);

    public override void Dispose() => _positiveWeights?.Dispose();
}
