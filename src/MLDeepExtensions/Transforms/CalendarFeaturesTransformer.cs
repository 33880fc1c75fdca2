using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLDeepExtensions;
using MLDeepExtensions.Interop;
using MLDeepExtensions.Transforms;

[assembly: LoadableClass(typeof(CalendarFeaturesTransformer), null, typeof(SignatureLoadModel),
    "Calendar Features Transformer", CalendarFeaturesTransformer.LoaderSignature)]

namespace MLDeepExtensions;

/// <summary>
/// Adds a vector of calendar features (month, day of week, holiday flags, …) computed from a date column: what
/// <see cref="CalendarFeaturesEstimator"/> returns. Nothing is learned; the holiday dates are saved with the model, and
/// <c>mlContext.Model.Load</c> brings it back in any process.
/// </summary>
/// <remarks>
/// Model file, version 0x00010001: ML.NET's one-to-one column pair (one: output, input), then int features, int
/// holiday distance limit, int holiday count and that many ints (days since 0001-01-01, ascending). Raise the version
/// on any change of this layout, and keep reading the old ones.
/// </remarks>
public sealed class CalendarFeaturesTransformer : OneToOneTransformerBase
{
    internal const string LoaderSignature = "CalendarFeatures";

    private const string ModelSignature = "CALENDFT";

    private const uint FormatVersion = 0x00010001;

    private readonly CalendarFeatureLayout _layout;

    internal CalendarFeaturesTransformer(IHostEnvironment env, string outputColumnName, string inputColumnName, CalendarFeatureLayout layout)
        : base(RegisterHost(env), (outputColumnName, inputColumnName))
    {
        _layout = layout;
    }

    // Takes the host, not the environment: ML.NET refuses a loadable class whose Create and constructor share a signature.
    private CalendarFeaturesTransformer(IHost host, ModelLoadContext ctx)
        : base(host, ctx)
    {
        if (ColumnPairs.Length != 1)
            throw new InvalidDataException(FormattableString.Invariant($"The calendar features transform in this model file is damaged: it has {ColumnPairs.Length} column pairs, not 1. Restore the file from a good copy, or save the model again."));
        _layout = CalendarFeatureLayout.Read(ctx.Reader);
    }

    /// <summary>The date column read: <see cref="DateTime"/> or <see cref="DateTimeOffset"/>.</summary>
    public string InputColumnName => ColumnPairs[0].inputColumnName;

    /// <summary>The output column: a vector of <see cref="OutputSize"/> Single values with slot names.</summary>
    public string OutputColumnName => ColumnPairs[0].outputColumnName;

    /// <summary>The features computed.</summary>
    public CalendarFeatureKinds Features => _layout.Features;

    /// <summary>The holiday dates (midnight), ascending without repeats; empty when no holiday feature is computed.</summary>
    public IReadOnlyList<DateTime> Holidays => _layout.Holidays.ToArray();

    /// <summary>The distance in days at which DaysToHoliday and DaysFromHoliday reach 1.</summary>
    public int HolidayDistanceLimit => _layout.DistanceLimit;

    /// <summary>The number of slots in the output vector.</summary>
    public int OutputSize => _layout.Size;

    /// <summary>The output slots' names, in order (also the column's SlotNames annotation).</summary>
    public IReadOnlyList<string> SlotNames => _layout.SlotNames;

    internal CalendarFeatureLayout Layout => _layout;

    private static VersionInfo VersionInfo() => new(
        modelSignature: ModelSignature,
        verWrittenCur: FormatVersion,
        verReadableCur: FormatVersion,
        verWeCanReadBack: FormatVersion,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(CalendarFeaturesTransformer).Assembly.FullName);

    private static IHost RegisterHost(IHostEnvironment env)
    {
        ArgumentNullException.ThrowIfNull(env);
        return env.Register(nameof(CalendarFeaturesTransformer));
    }

    /// <summary>Factory for <see cref="SignatureLoadModel"/>: called by ML.NET when it loads a model zip.</summary>
    private static CalendarFeaturesTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        MLNetVersionGuard.EnsureSupported();
        var header = ctx.Header;
        var version = VersionInfo();
        if (header.ModelSignature == version.ModelSignature && header.ModelVerReadable <= header.ModelVerWritten && header.ModelVerReadable > FormatVersion)
            throw new InvalidDataException(FormattableString.Invariant($"The model file's calendar features transform was saved in format 0x{header.ModelVerReadable:X8}, newer than this version of MLDeepExtensions ") +
                FormattableString.Invariant($"reads (up to 0x{FormatVersion:X8}). Load it with the version of MLDeepExtensions that saved it, or a newer one."));
        ctx.CheckAtModel(version);
        try
        {
            return new(RegisterHost(env), ctx);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("The calendar features transform in this model file is truncated. Restore the file from a good copy, or save the model again.", e);
        }
    }

    /// <inheritdoc/>
    protected override void SaveModel(ModelSaveContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ctx.CheckAtModel();
        ctx.SetVersionInfo(VersionInfo());
        SaveColumns(ctx);
        _layout.Write(ctx.Writer);
    }

    /// <inheritdoc/>
    protected override IRowMapper MakeRowMapper(DataViewSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        CalendarColumns.CheckInput(schema, InputColumnName);
        return new Mapper(this, schema);
    }

    /// <summary>Computes the output vector from the date of each row.</summary>
    private sealed class Mapper : OneToOneMapperBase
    {
        private readonly CalendarFeaturesTransformer _parent;

        public Mapper(CalendarFeaturesTransformer parent, DataViewSchema inputSchema)
            : base(parent.Host, parent, inputSchema)
        {
            _parent = parent;
        }

        protected override DataViewSchema.DetachedColumn[] GetOutputColumnsCore()
            => [CalendarColumns.Output(_parent.OutputColumnName, _parent._layout)];

        protected override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action disposer)
        {
            disposer = null!;
            var column = input.Schema[ColMapNewToOld[iinfo]];
            var layout = _parent._layout;
            if (column.Type is DateTimeOffsetDataViewType)
            {
                var offsetGetter = input.GetGetter<DateTimeOffset>(column);
                DateTimeOffset offset = default;
                return (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
                {
                    offsetGetter(ref offset);
                    Fill(layout, offset.DateTime, ref value);
                });
            }
            var dateGetter = input.GetGetter<DateTime>(column);
            DateTime date = default;
            return (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
            {
                dateGetter(ref date);
                Fill(layout, date, ref value);
            });
        }

        private static void Fill(CalendarFeatureLayout layout, DateTime date, ref VBuffer<float> value)
        {
            var editor = VBufferEditor.Create(ref value, layout.Size);
            layout.Compute(date, editor.Values);
            value = editor.Commit();
        }
    }
}
