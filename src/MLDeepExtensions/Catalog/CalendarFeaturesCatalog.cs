using System;
using System.Collections.Generic;
using Microsoft.ML;
using MLDeepExtensions.Interop;
using MLDeepExtensions.Transforms;

namespace MLDeepExtensions;

/// <summary>
/// <c>mlContext.Transforms.CalendarFeatures(...)</c>: calendar features from a date column, the known-future covariates
/// of a forecast, as one Single vector with slot names.
/// </summary>
public static class CalendarFeaturesCatalog
{
    /// <summary>Computes calendar features from a date column with the most used settings.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The output vector column. Default: "CalendarFeatures".</param>
    /// <param name="inputColumnName">The date column, <see cref="DateTime"/> or <see cref="DateTimeOffset"/>. Default: "Date".</param>
    /// <param name="features">The features, at least one. Default: <see cref="CalendarFeatureKinds.Month"/> | <see cref="CalendarFeatureKinds.DayOfWeek"/> (19 slots).</param>
    /// <param name="holidays">The holiday dates, compared by date only: required with <see cref="CalendarFeatureKinds.Holiday"/>,
    /// <see cref="CalendarFeatureKinds.DaysToHoliday"/> or <see cref="CalendarFeatureKinds.DaysFromHoliday"/>, refused without them. Default: null.</param>
    /// <exception cref="ArgumentException">An empty column name, no or undefined features, or holidays missing or unused (every problem listed).</exception>
    public static CalendarFeaturesEstimator CalendarFeatures(this TransformsCatalog catalog,
        string outputColumnName = CalendarFeaturesDefaults.OutputColumnName,
        string inputColumnName = CalendarFeaturesDefaults.InputColumnName,
        CalendarFeatureKinds features = CalendarFeaturesDefaults.Features,
        IEnumerable<DateTime>? holidays = null)
        => new(MLContextAccess.GetEnvironment(catalog), new CalendarFeaturesOptions
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName,
            Features = features,
            Holidays = holidays,
        });

    /// <summary>Computes calendar features from a date column with every setting.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">All settings; the estimator keeps a copy.</param>
    /// <exception cref="ArgumentException">An invalid setting (every problem listed).</exception>
    public static CalendarFeaturesEstimator CalendarFeatures(this TransformsCatalog catalog, CalendarFeaturesOptions options)
        => new(MLContextAccess.GetEnvironment(catalog), options);
}
