using System;
using System.IO;

namespace MLDeepExtensions;

/// <summary>
/// Changes the learning rate between epochs. The schedule starts from the optimizer's learning rate λ₀ and is
/// applied after each epoch. Built-in: <see cref="StepDecay"/>, <see cref="Exponential"/>, <see cref="Cosine"/>,
/// <see cref="ReduceOnPlateau"/>. Schedules are records: two with the same settings are equal.
/// </summary>
public abstract record LearningRateSchedule
{
    private protected LearningRateSchedule()
    {
    }

    /// <summary>λ = λ₀·γ^⌊epoch/stepSize⌋: multiply by <paramref name="gamma"/> every <paramref name="stepSize"/> epochs.</summary>
    public static LearningRateSchedule StepDecay(int stepSize, double gamma = 0.1) => new StepDecaySchedule(stepSize, gamma);

    /// <summary>λ = λ₀·γ^epoch: multiply by <paramref name="gamma"/> after every epoch.</summary>
    public static LearningRateSchedule Exponential(double gamma) => new ExponentialSchedule(gamma);

    /// <summary>Cosine annealing from λ₀ to <paramref name="minimumLearningRate"/> over the training's epochs.</summary>
    public static LearningRateSchedule Cosine(double minimumLearningRate = 0) => new CosineSchedule(minimumLearningRate);

    /// <summary>
    /// Multiplies the learning rate by <paramref name="factor"/> when the validation loss (training loss without a
    /// validation set) has not improved for more than <paramref name="patience"/> epochs (a loss equal to the best is no improvement), down to <paramref name="minimumLearningRate"/>.
    /// </summary>
    public static LearningRateSchedule ReduceOnPlateau(double factor = 0.1, int patience = 2, double minimumLearningRate = 0)
        => new ReduceOnPlateauSchedule(factor, patience, minimumLearningRate);

    /// <summary>Adds one message per invalid setting.</summary>
    internal abstract void Validate(ValidationErrors errors);

    /// <summary>The learning rate for the epoch after <paramref name="completedEpochs"/> epochs.</summary>
    /// <param name="initial">λ₀.</param>
    /// <param name="current">The rate used in the epoch just finished.</param>
    /// <param name="completedEpochs">Epochs finished so far, ≥ 1.</param>
    /// <param name="totalEpochs">Epochs the training will run at most.</param>
    /// <param name="monitoredLoss">The loss of the epoch just finished (validation loss where there is one).</param>
    internal abstract double Next(double initial, double current, int completedEpochs, int totalEpochs, double monitoredLoss);

    /// <summary>A fresh copy with no state, so one options object can train several models.</summary>
    internal virtual LearningRateSchedule Fresh() => this;

    /// <summary>Writes what the schedule remembers between epochs (for a checkpoint); stateless schedules write nothing.</summary>
    internal virtual void SaveState(BinaryWriter writer)
    {
    }

    /// <summary>Reads what <see cref="SaveState"/> wrote.</summary>
    internal virtual void LoadState(BinaryReader reader)
    {
    }

    private sealed record StepDecaySchedule(int stepSize, double gamma) : LearningRateSchedule
    {
        internal override void Validate(ValidationErrors errors)
        {
            if (stepSize < 1)
                errors.Add($"{nameof(StepDecay)} stepSize is {stepSize}; it must be ≥ 1 epoch.");
            if (!(gamma > 0 && gamma <= 1))
                errors.Add($"{nameof(StepDecay)} gamma is {gamma}; it must be in (0, 1].");
        }

        internal override double Next(double initial, double current, int completedEpochs, int totalEpochs, double monitoredLoss)
            => initial * Math.Pow(gamma, completedEpochs / stepSize);

        public override string ToString() => FormattableString.Invariant($"step decay ×{gamma} every {stepSize} epochs");
    }

    private sealed record ExponentialSchedule(double gamma) : LearningRateSchedule
    {
        internal override void Validate(ValidationErrors errors)
        {
            if (!(gamma > 0 && gamma <= 1))
                errors.Add($"{nameof(Exponential)} gamma is {gamma}; it must be in (0, 1].");
        }

        internal override double Next(double initial, double current, int completedEpochs, int totalEpochs, double monitoredLoss)
            => initial * Math.Pow(gamma, completedEpochs);

        public override string ToString() => FormattableString.Invariant($"exponential ×{gamma} per epoch");
    }

    private sealed record CosineSchedule(double minimum) : LearningRateSchedule
    {
        internal override void Validate(ValidationErrors errors)
        {
            if (!(minimum >= 0 && double.IsFinite(minimum)))
                errors.Add($"{nameof(Cosine)} minimumLearningRate is {minimum}; it must be ≥ 0.");
        }

        internal override double Next(double initial, double current, int completedEpochs, int totalEpochs, double monitoredLoss)
            => minimum + (initial - minimum) * (1 + Math.Cos(Math.PI * Math.Min(completedEpochs, totalEpochs) / totalEpochs)) / 2;

        public override string ToString() => FormattableString.Invariant($"cosine down to {minimum}");
    }

    private sealed record ReduceOnPlateauSchedule(double factor, int patience, double minimum) : LearningRateSchedule
    {
        private double _best = double.PositiveInfinity;
        private int _badEpochs;

        internal override void Validate(ValidationErrors errors)
        {
            if (!(factor > 0 && factor < 1))
                errors.Add($"{nameof(ReduceOnPlateau)} factor is {factor}; it must be in (0, 1).");
            if (patience < 0)
                errors.Add($"{nameof(ReduceOnPlateau)} patience is {patience}; it must be ≥ 0 epochs.");
            if (!(minimum >= 0 && double.IsFinite(minimum)))
                errors.Add($"{nameof(ReduceOnPlateau)} minimumLearningRate is {minimum}; it must be ≥ 0.");
        }

        internal override LearningRateSchedule Fresh() => new ReduceOnPlateauSchedule(factor, patience, minimum);

        internal override void SaveState(BinaryWriter writer)
        {
            writer.Write(_best);
            writer.Write(_badEpochs);
        }

        internal override void LoadState(BinaryReader reader)
        {
            _best = reader.ReadDouble();
            _badEpochs = reader.ReadInt32();
        }

        internal override double Next(double initial, double current, int completedEpochs, int totalEpochs, double monitoredLoss)
        {
            if (monitoredLoss < _best)
            {
                _best = monitoredLoss;
                _badEpochs = 0;
                return current;
            }
            if (++_badEpochs <= patience)
                return current;
            _badEpochs = 0;
            return Math.Max(minimum, current * factor);
        }

        public override string ToString() => FormattableString.Invariant($"reduce ×{factor} on plateau of {patience} epochs");
    }
}
