using System;
using System.Collections.Generic;
using MLDeepExtensions.Transforms;

namespace MLDeepExtensions;

/// <summary>
/// Configures <c>mlContext.Transforms.CalendarFeatures(...)</c>: which date column to read, which features to compute
/// and the holiday dates. The estimator keeps a copy: changing the options afterwards does not change it.
/// </summary>
public sealed record CalendarFeaturesOptions
{
    /// <summary>The output column, a vector of Single with one slot per feature value. Default: "CalendarFeatures".</summary>
    public string OutputColumnName { get; set; } = CalendarFeaturesDefaults.OutputColumnName;

    /// <summary>The input column, of type <see cref="DateTime"/> or <see cref="DateTimeOffset"/>. Default: "Date".</summary>
    public string InputColumnName { get; set; } = CalendarFeaturesDefaults.InputColumnName;

    /// <summary>
    /// The features to compute, at least one. Default: <see cref="CalendarFeatureKinds.Month"/> |
    /// <see cref="CalendarFeatureKinds.DayOfWeek"/> (19 slots), which fits daily data; for monthly data
    /// <see cref="CalendarFeatureKinds.Month"/> alone is enough.
    /// </summary>
    public CalendarFeatureKinds Features { get; set; } = CalendarFeaturesDefaults.Features;

    /// <summary>
    /// The holiday dates (their time of day is ignored; order and repeats do not matter). Required, and non-empty, when
    /// <see cref="Features"/> has <see cref="CalendarFeatureKinds.Holiday"/>, <see cref="CalendarFeatureKinds.DaysToHoliday"/>
    /// or <see cref="CalendarFeatureKinds.DaysFromHoliday"/>; refused otherwise. Saved with the model. Default: null.
    /// </summary>
    public IEnumerable<DateTime>? Holidays { get; set; }

    /// <summary>
    /// The distance in days at which <see cref="CalendarFeatureKinds.DaysToHoliday"/> and
    /// <see cref="CalendarFeatureKinds.DaysFromHoliday"/> reach 1, in [1, 366]. Default: 30.
    /// </summary>
    public int HolidayDistanceLimit { get; set; } = CalendarFeaturesDefaults.HolidayDistanceLimit;
}
