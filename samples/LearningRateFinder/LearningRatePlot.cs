using System.Linq;

namespace MLDeepExtensions.Samples;

/// <summary>Draws the finder's smoothed loss against the learning rate (logarithmic axis) with ScottPlot, the suggestions marked.</summary>
public static class LearningRatePlot
{
    /// <summary>Saves an 800×500 chart of <paramref name="result"/> to <paramref name="path"/> and returns the path.</summary>
    public static string Save(LearningRateFinderResult result, string path)
    {
        var plot = new ScottPlot.Plot();
        // ScottPlot draws a logarithmic axis as log10 values with tick labels of the powers of ten.
        double[] logRates = result.LearningRates.Select(System.Math.Log10).ToArray();
        var curve = plot.Add.Scatter(logRates, result.Losses.ToArray());
        curve.LegendText = "smoothed training loss";
        curve.LineWidth = 2;
        curve.MarkerSize = 0;
        var suggested = plot.Add.VerticalLine(System.Math.Log10(result.Suggested));
        suggested.LegendText = $"suggested (steepest descent): {result.Suggested:G2}";
        suggested.LineWidth = 2;
        var minimum = plot.Add.VerticalLine(System.Math.Log10(result.SuggestedFromMinimum));
        minimum.LegendText = $"minimum-loss rate / 10: {result.SuggestedFromMinimum:G2}";
        minimum.LinePattern = ScottPlot.LinePattern.Dashed;
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = y => $"1e{y:0}",
        };
        plot.Title("Fashion-MNIST, MLP 784-128-10, Adam: learning-rate finder");
        plot.XLabel("Learning rate (log scale)");
        plot.YLabel("Smoothed training loss (cross-entropy)");
        plot.ShowLegend(ScottPlot.Alignment.UpperLeft);
        plot.SavePng(path, 800, 500);
        return path;
    }
}
