using System;
using System.IO;
using System.Linq;
using Microsoft.ML.Data;

namespace MLDeepExtensions.Samples;

/// <summary>One image file and its class: what the pipeline reads (the pixels come from the file).</summary>
public sealed class ImageFile
{
    /// <summary>The file, relative to the image folder, e.g. "train/Sneaker/00042.png".</summary>
    public string Path { get; set; } = "";

    /// <summary>The class name (the file's folder).</summary>
    public string Label { get; set; } = "";
}

/// <summary>
/// A folder of PNG files, one sub-folder per class, as image data sets are usually shipped; written here from
/// Fashion-MNIST (Zalando Research, MIT license) so that the sample runs anywhere.
/// </summary>
public static class ImageFiles
{
    /// <summary>Writes <paramref name="images"/> as &lt;folder&gt;/&lt;part&gt;/&lt;class&gt;/&lt;n&gt;.png (skipped when already there) and lists them.</summary>
    public static ImageFile[] Write(string folder, string part, FashionImage[] images)
    {
        var files = images.Select((image, i) => new ImageFile
        {
            Path = System.IO.Path.Combine(part, image.Label.Replace('/', '-'), $"{i:D5}.png"),
            Label = image.Label,
        }).ToArray();
        string marker = System.IO.Path.Combine(folder, part, $".complete-{images.Length}");
        if (File.Exists(marker))
            return files;
        for (int i = 0; i < images.Length; i++)
        {
            string path = System.IO.Path.Combine(folder, files[i].Path);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            var bgra = new byte[FashionMnist.PixelCount * 4];
            for (int p = 0; p < FashionMnist.PixelCount; p++)
            {
                byte grey = (byte)Math.Round(images[i].Pixels[p] * 255);
                bgra[4 * p] = bgra[4 * p + 1] = bgra[4 * p + 2] = grey;
                bgra[4 * p + 3] = 255;
            }
            using var image = MLImage.CreateFromPixels(28, 28, MLPixelFormat.Bgra32, bgra);
            image.Save(path);
        }
        File.WriteAllText(marker, "");
        return files;
    }
}
