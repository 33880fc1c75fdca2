using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
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
/// Version 2, written only for a network that reads covariates or a series id (others stay at version 1 for the readers
/// before it), adds after those: the lookback; the past and the known-future covariate columns (name, empty for none;
/// steps; values per step); the categorical inputs (the series key, <see cref="CategoricalInput.WriteAll"/>); the
/// series names of its keys (key i + 1 is name i; empty when the key column had no text key values).
/// </remarks>
internal sealed record ForecastArchitecture(NetworkArchitecture Inner, SeriesScaling Scaling, int SeasonalPeriod, int QuantileCount) : NetworkArchitecture
{
    internal const string RegisteredName = "forecast";
    internal const int CurrentSettingsVersion = 2;

    internal override string Name => RegisteredName;

    /// <summary>The columns the fit reads beside the window, as the options name them (resolved against the training data by <see cref="ResolveInputs"/>).</summary>
    internal ForecastColumns Requested { get; init; } = ForecastColumns.None;

    /// <summary>Values per window; set once the inputs beside the window are resolved (0 for a network that reads only the window).</summary>
    internal int Lookback { get; init; }

    /// <summary>The windows' past covariates as the network reads them, or null.</summary>
    internal NumericInput? Past { get; init; }

    /// <summary>The windows' known-future covariates as the network reads them, or null.</summary>
    internal NumericInput? Future { get; init; }

    /// <summary>The series names of the series key's values (key i + 1 is name i), for forecasting a series by name; empty without.</summary>
    internal IReadOnlyList<string> SeriesNames { get => _seriesNames; init => _seriesNames = SettingChecks.Own(value); }

    private readonly ValueList<string> _seriesNames = SettingChecks.Own(Array.Empty<string>());

    /// <summary>Whether the network reads more than its window (covariates or a series key).</summary>
    internal bool HasExtras => Lookback > 0;

    /// <summary>The series key the network embeds, or null.</summary>
    internal CategoricalInput? SeriesKey => Categorical.Count > 0 ? Categorical[0] : null;

    internal override int? WrittenSettingsVersion => HasExtras ? CurrentSettingsVersion : 1;

    /// <summary>The layout of the encoded row and of the network's sequence for a forecast of <paramref name="horizon"/> steps; null without extras.</summary>
    internal ForecastLayout? Layout(int horizon)
        => HasExtras ? new ForecastLayout(Lookback, horizon, Past?.Width ?? 0, Future?.Width ?? 0, SeriesKey?.EmbeddingSize ?? 0) : null;

    /// <summary>Values of the window in an encoded row of <paramref name="inputSize"/>.</summary>
    internal int WindowLength(int inputSize) => HasExtras ? Lookback : inputSize;

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
        if (HasExtras && (Past is { Steps: var steps } && steps != Lookback || Future is { Steps: var future } && future <= Lookback))
            errors.Add($"The covariates' steps ({Past?.Steps}, {Future?.Steps}) do not match the lookback ({Lookback}).");
        if (Categorical.Count > 1 || SeriesNames.Count > (SeriesKey?.KeyCount ?? 0))
            errors.Add($"A forecasting network reads at most one series key with a name per key, not {Categorical.Count} keys and {SeriesNames.Count} names.");
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
        // With covariates or a series id the network reads a longer sequence, known only once ResolveInputs sees them.
        if (Requested.Any)
            return this with { Inner = inner, Lookback = lookback };
        return this with { Inner = inner.ResolveFor(featureColumn, measureMaxSteps) };
    }

    /// <summary>
    /// This network (its window resolved by <see cref="ResolveFor"/>) with the covariate columns and the series key of
    /// <paramref name="schema"/> (the training data's) that <see cref="Requested"/> names, its network resolved for the
    /// sequence it then reads; itself when none are named.
    /// </summary>
    internal ForecastArchitecture ResolveInputs(DataViewSchema schema, int horizon)
    {
        if (!Requested.Any)
            return this;
        NumericInput? Covariates(string? name, int steps, string what)
        {
            if (name is null)
                return null;
            var column = schema.GetColumnOrNull(name) ?? throw SchemaChecks.MissingColumn(what, name);
            if (column.Type is not VectorDataViewType { IsKnownSize: true } vector || vector.ItemType != NumberDataViewType.Single || vector.Size % steps != 0)
                throw SchemaChecks.Mismatch(what, name, FormattableString.Invariant($"a known-size Single vector of {steps} steps × values per step"), column.Type.ToString()!,
                    NumericInput.WindowsFix);
            return new NumericInput(name, steps, vector.Size / steps);
        }
        var past = Covariates(Requested.PastCovariates, Lookback, "past covariate");
        var future = Covariates(Requested.FutureCovariates, Lookback + horizon, "future covariate");
        var key = Requested.SeriesId is { } id ? CategoricalInput.Resolve(schema, new CategoricalColumn(id) { EmbeddingSize = Requested.SeriesEmbeddingSize }) : null;
        var resolved = this with { Past = past, Future = future, Categorical = key is null ? [] : [key], SeriesNames = key is null ? [] : KeyNames(schema[key.Name]) };
        var layout = resolved.Layout(horizon)!;
        var sequence = new DataViewSchema.Builder();
        sequence.AddColumn("sequence", new VectorDataViewType(NumberDataViewType.Single, layout.Steps, layout.Channels));
        // Resolved, the network holds all it reads; the request is dropped, so it equals the same network read from its file.
        return resolved with { Inner = Inner.ResolveFor(sequence.ToSchema()[0], () => layout.Steps), Requested = ForecastColumns.None };
    }

    /// <summary>The key column's text key values, or none (then a series cannot be named to <see cref="ForecastingTransformer.Forecast(IReadOnlyList{float}, ForecastInputs)"/>).</summary>
    private static string[] KeyNames(DataViewSchema.Column column)
    {
        if (column.Annotations.Schema.GetColumnOrNull(Microsoft.ML.Data.AnnotationUtils.Kinds.KeyValues) is not { Type: VectorDataViewType { ItemType: TextDataViewType } })
            return [];
        var names = default(VBuffer<ReadOnlyMemory<char>>);
        column.Annotations.GetValue(Microsoft.ML.Data.AnnotationUtils.Kinds.KeyValues, ref names);
        var all = names.DenseValues().Select(n => n.ToString()).ToArray();
        return all.Length <= SettingsIO.MaxListLength ? all : [];
    }

    internal override int InputSizeFor(DataViewSchema.Column featureColumn)
        => HasExtras ? Lookback + (Past?.Size ?? 0) + (Future?.Size ?? 0) + Categorical.Count : Inner.InputSizeFor(featureColumn);

    internal override FeatureEncoder CreateEncoder(int inputSize)
        => HasExtras ? new TabularEncoder(Lookback, Categorical, new[] { Past, Future }.OfType<NumericInput>().ToArray()) : Inner.CreateEncoder(inputSize);

    private protected override torch.nn.Module<torch.Tensor, torch.Tensor> BuildModule(int inputSize, int outputSize)
    {
        var layout = Layout(Horizon(outputSize));
        return new ForecastModule(Inner.CreateModule(layout?.SequenceWidth ?? inputSize, outputSize), Scaling, SeasonalPeriod, Horizon(outputSize), layout, SeriesKey?.KeyCount ?? 0);
    }

    internal override double MinimumWeightCount(int inputSize, int outputSize)
        => Layout(Horizon(outputSize)) is { } layout
            ? Inner.MinimumWeightCount(layout.SequenceWidth, outputSize) + Categorical.Sum(c => (c.KeyCount + 1.0) * c.EmbeddingSize)
            : Inner.MinimumWeightCount(inputSize, outputSize);

    internal override void WriteSettings(BinaryWriter writer)
    {
        writer.Write((int)Scaling);
        writer.Write(SeasonalPeriod);
        writer.Write(QuantileCount);
        ArchitectureRegistry.Write(writer, Inner);
        if (!HasExtras)
            return;
        writer.Write(Lookback);
        foreach (var covariates in new[] { Past, Future })
        {
            writer.Write(covariates?.Name ?? "");
            writer.Write(covariates?.Steps ?? 0);
            writer.Write(covariates?.Width ?? 0);
        }
        CategoricalInput.WriteAll(writer, Categorical);
        writer.WriteList(SeriesNames, (w, name) => w.Write(name));
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
        var architecture = new ForecastArchitecture(inner, scaling, period, quantiles);
        if (version < 2)
            return Checked(architecture, "forecasting network");
        int lookback = reader.ReadInt32();
        var covariates = new NumericInput?[2];
        for (int i = 0; i < 2; i++)
        {
            string name = reader.ReadString();
            int steps = reader.ReadInt32(), width = reader.ReadInt32();
            if (name.Length == 0)
                continue;
            if (steps is < 1 or > MaxSteps || width is < 1 or > MaxSteps || (long)steps * width > MaxSteps)
                throw new InvalidDataException(FormattableString.Invariant($"The model file's forecasting network settings are corrupt: covariates '{name}' of {steps} steps × {width}."));
            covariates[i] = new NumericInput(name, steps, width);
        }
        var categorical = CategoricalInput.ReadAll(reader, "forecasting network", out string? problem);
        var names = reader.ReadList("forecasting network", "series names", r => r.ReadString());
        if (lookback is < 1 or > MaxSteps)
            problem ??= FormattableString.Invariant($"Lookback {lookback}.");
        return Checked(architecture with { Lookback = lookback, Past = covariates[0], Future = covariates[1], Categorical = categorical, SeriesNames = names },
            "forecasting network", problem);
    }

    /// <summary>The most steps or values a model file's covariates may claim.</summary>
    private const int MaxSteps = 1 << 24;

    [ThreadStatic]
    private static bool _reading;

    public override string ToString()
        => $"{Inner}, windows scaled by {Scaling}" + (SeasonalPeriod > 0 ? FormattableString.Invariant($", seasonal period {SeasonalPeriod}") : "") +
           (Past is { } past ? FormattableString.Invariant($", past covariates '{past.Name}' ({past.Width} per step)") : "") +
           (Future is { } future ? FormattableString.Invariant($", known-future covariates '{future.Name}' ({future.Width} per step)") : "") +
           (SeriesKey is { } key ? FormattableString.Invariant($", series '{key.Name}' embedded {key.KeyCount}→{key.EmbeddingSize}") : "");
}

/// <summary>The columns a forecasting fit reads beside the window, as <see cref="ForecastingOptions"/> name them.</summary>
/// <param name="PastCovariates">The windows' past covariates, or null.</param>
/// <param name="FutureCovariates">The windows' known-future covariates, or null.</param>
/// <param name="SeriesId">The series key column, or null.</param>
/// <param name="SeriesEmbeddingSize">Its embedding's size, or null for the default rule.</param>
internal sealed record ForecastColumns(string? PastCovariates, string? FutureCovariates, string? SeriesId, int? SeriesEmbeddingSize)
{
    public static ForecastColumns None { get; } = new(null, null, null, null);

    public bool Any => PastCovariates is not null || FutureCovariates is not null || SeriesId is not null;
}
