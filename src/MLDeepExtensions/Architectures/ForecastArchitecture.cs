using System;
using System.IO;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLDeepExtensions.Data;
using TorchSharp;

namespace MLDeepExtensions.Architectures;

/// <summary>
/// A forecasting network: the user's architecture (<see cref="Inner"/>) between the window scaling and its inverse
/// (<see cref="ForecastModule"/>). Built by <see cref="ForecastingOptions"/>; saved under its own name with the inner
/// architecture's name, version and settings nested in it.
/// </summary>
/// <remarks>
/// Settings, version 1: int scaling; int seasonal period; int quantile count; the inner architecture as
/// <see cref="ArchitectureRegistry.Write"/> writes it. Scaling 4 (<see cref="SeriesScaling.Log"/>) came later without a
/// new version: its model's forecasting head has layout version 3, which the readers before it refuse first.
/// </remarks>
internal sealed record ForecastArchitecture(NetworkArchitecture Inner, SeriesScaling Scaling, int SeasonalPeriod, int QuantileCount) : NetworkArchitecture
{
    internal const string RegisteredName = "forecast";
    internal const int CurrentSettingsVersion = 1;

    internal override string Name => RegisteredName;

    /// <summary>Forecast steps for a network output of <paramref name="outputSize"/> values (one per step and quantile).</summary>
    internal int Horizon(int outputSize) => outputSize / QuantileCount;

    internal override void Validate(ValidationErrors errors)
    {
        const string name = "ForecastingOptions.";
        if (Inner is MlpArchitecture or RnnArchitecture or TransformerArchitecture or CustomArchitecture)
            Inner.Validate(errors);
        else
            errors.Add($"{name}{"Architecture"} is {Inner}; a forecasting network reads a window of past values with an {nameof(MlpArchitecture)}, an {nameof(RnnArchitecture)}, a {nameof(TransformerArchitecture)} or your own module ({nameof(CustomArchitecture)}).");
        SettingChecks.Defined(errors, name + "Scaling", Scaling);
        if (SeasonalPeriod < 0)
            errors.Add($"{name}{"SeasonalPeriod"} is {SeasonalPeriod}; it must be ≥ 0 (0 for none; e.g. 12 for monthly data with a yearly pattern).");
        SettingChecks.AtLeastOne(errors, "quantile count", QuantileCount);
    }

    internal override NetworkArchitecture ResolveFor(DataViewSchema.Column featureColumn, Func<int> measureMaxSteps)
    {
        int lookback = SchemaChecks.CheckDenseFeatureColumn(featureColumn);
        var dimensions = ((VectorDataViewType)featureColumn.Type).Dimensions;
        if (dimensions.Length > 2 || (dimensions.Length == 2 && dimensions[1] != 1))
            throw SchemaChecks.Mismatch("feature", featureColumn.Name, "a window of past values, one per time step (a vector of lookback values, or lookback × 1)",
                $"a vector of dimensions {string.Join(" × ", dimensions)}", "Build the windows with mlContext.Data.CreateForecastingWindows.");
        int least = Scaling == SeriesScaling.None ? 1 : 2;
        if (lookback < Math.Max(least, SeasonalPeriod))
            throw SchemaChecks.Mismatch("feature", featureColumn.Name,
                FormattableString.Invariant($"a window of at least {Math.Max(least, SeasonalPeriod)} values ({(SeasonalPeriod > least ? $"the seasonal period, {SeasonalPeriod}" : $"scaling {Scaling} measures a spread")})"),
                FormattableString.Invariant($"{lookback}"), "Use a longer lookback in CreateForecastingWindows.");
        // The window scaling standardizes every window itself: a fixed standardization fitted on raw windows would undo it.
        var inner = Inner is MlpArchitecture mlp ? mlp with { StandardizeInputs = false } : Inner;
        return this with { Inner = inner.ResolveFor(featureColumn, measureMaxSteps) };
    }

    internal override int InputSizeFor(DataViewSchema.Column featureColumn) => Inner.InputSizeFor(featureColumn);

    internal override FeatureEncoder CreateEncoder(int inputSize) => Inner.CreateEncoder(inputSize);

    private protected override torch.nn.Module<torch.Tensor, torch.Tensor> BuildModule(int inputSize, int outputSize)
        => new ForecastModule(Inner.CreateModule(inputSize, outputSize), Scaling, SeasonalPeriod, Horizon(outputSize));

    internal override double MinimumWeightCount(int inputSize, int outputSize) => Inner.MinimumWeightCount(inputSize, outputSize);

    internal override void WriteSettings(BinaryWriter writer)
    {
        writer.Write((int)Scaling);
        writer.Write(SeasonalPeriod);
        writer.Write(QuantileCount);
        ArchitectureRegistry.Write(writer, Inner);
    }

    internal static ForecastArchitecture ReadSettings(BinaryReader reader, int version)
    {
        var scaling = (SeriesScaling)reader.ReadInt32();
        int period = reader.ReadInt32(), quantiles = reader.ReadInt32();
        // A damaged file could nest forecasting networks until the stack overflows, which no one can catch: one level only.
        if (_reading)
            throw new InvalidDataException("The model file's deep network is corrupt: a forecasting network nested in another. Save the model again, or check that the file was copied whole.");
        NetworkArchitecture inner;
        _reading = true;
        try
        {
            inner = ArchitectureRegistry.Read(reader, versioned: true);
        }
        finally
        {
            _reading = false;
        }
        return Checked(new ForecastArchitecture(inner, scaling, period, quantiles), "forecasting network");
    }

    [ThreadStatic]
    private static bool _reading;

    public override string ToString()
        => $"{Inner}, windows scaled by {Scaling}" + (SeasonalPeriod > 0 ? FormattableString.Invariant($", seasonal period {SeasonalPeriod}") : "");
}
