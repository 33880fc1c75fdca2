using System;
using System.Collections.Generic;

namespace MLDeepExtensions.Samples;

/// <summary>Draws originals (top row) over their reconstructions (bottom row) with scores, as one ScottPlot heatmap.</summary>
public static class ReconstructionGrid
{
    private const int Side = 28, Gap = 4, LabelHeight = 17, TitleHeight = 12;

    /// <summary>Saves the grid to <paramref name="path"/> (PNG) and returns the path.</summary>
    public static string Save(IReadOnlyList<ModelInput> images, IReadOnlyList<ModelOutput> outputs, double threshold, string path)
    {
        int columns = images.Count;
        int width = columns * Side + (columns - 1) * Gap;
        int height = 2 * Side + Gap;
        // Heatmap rows run top to bottom; NaN cells (the gaps) are drawn in the background colour.
        var cells = new double[height, width];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                cells[y, x] = double.NaN;
        for (int i = 0; i < columns; i++)
        {
            Blit(cells, images[i].Pixels, top: 0, left: i * (Side + Gap));
            Blit(cells, outputs[i].Reconstruction, top: Side + Gap, left: i * (Side + Gap));
        }

        var plot = new ScottPlot.Plot();
        var heatmap = plot.Add.Heatmap(cells);
        heatmap.Colormap = new ScottPlot.Colormaps.Grayscale();
        heatmap.ManualRange = new ScottPlot.Range(0, 1);
        heatmap.NaNCellColor = ScottPlot.Colors.White;
        heatmap.Extent = new ScottPlot.CoordinateRect(0, width, 0, height);
        for (int i = 0; i < columns; i++)
        {
            string verdict = outputs[i].PredictedLabel ? "anomaly" : "normal";
            var label = plot.Add.Text($"{images[i].ClassName}\n{outputs[i].Score:F4}\n{verdict}", i * (Side + Gap) + Side / 2.0, -1);
            label.LabelFontSize = 13;
            label.LabelAlignment = ScottPlot.Alignment.UpperCenter;
            label.LabelFontColor = outputs[i].PredictedLabel ? ScottPlot.Colors.DarkRed : ScottPlot.Colors.DarkGreen;
        }
        var title = plot.Add.Text($"Originals (top) and their reconstructions (bottom); score = reconstruction error, threshold {threshold:F4}",
            width / 2.0, height + TitleHeight - 2);
        title.LabelFontSize = 15;
        title.LabelBold = true;
        title.LabelAlignment = ScottPlot.Alignment.UpperCenter;
        // About 3.4 pixels per data unit both ways, so the 28×28 cells stay square.
        plot.Axes.SetLimits(-Gap, width + Gap, -LabelHeight, height + TitleHeight);
        plot.Layout.Frameless();
        plot.HideGrid();
        plot.SavePng(path, (int)((width + 2 * Gap) * 3.4), (int)((height + TitleHeight + LabelHeight) * 3.4));
        return path;
    }

    private static void Blit(double[,] cells, float[] pixels, int top, int left)
    {
        for (int y = 0; y < Side; y++)
            for (int x = 0; x < Side; x++)
                cells[top + y, left + x] = Math.Clamp(pixels[y * Side + x], 0f, 1f);
    }
}
