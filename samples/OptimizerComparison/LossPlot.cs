using System.Collections.Generic;
using System.Linq;

namespace MLDeepExtensions.Samples;

/// <summary>Draws the training-loss curves of all optimizers into one PNG with ScottPlot.</summary>
public static class LossPlot
{
    /// <summary>Saves an 800×500 line chart of training loss per epoch to <paramref name="path"/> and returns the path.</summary>
    public static string Save(IEnumerable<ContenderResult> results, string path)
    {
        var plot = new ScottPlot.Plot();
        foreach (var result in results)
        {
            double[] epochs = result.History.Select(e => (double)e.Epoch).ToArray();
            double[] losses = result.History.Select(e => e.TrainingLoss).ToArray();
            var line = plot.Add.Scatter(epochs, losses);
            line.LegendText = $"{result.Contender.Name} (λ = {result.Contender.Optimizer.LearningRate:G3})";
            line.LineWidth = 2;
            line.MarkerSize = 6;
        }
        plot.Title("Fashion-MNIST, MLP 784-128-10: training loss per epoch");
        plot.XLabel("Epoch");
        plot.YLabel("Mean training loss (cross-entropy)");
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(1);
        plot.Axes.AutoScale();
        plot.Axes.SetLimitsY(0, plot.Axes.GetLimits().Top);
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        plot.SavePng(path, 800, 500);
        return path;
    }
}
