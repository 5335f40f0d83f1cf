using GpuNngp.Data;
using GpuNngp.Experiments.Evaluation;
using GpuNngp.Experiments.Selection;
using Xunit;

namespace GpuNngp.Engine.Tests.Selection;

/// <summary>The search: Gram reuse changes nothing, the best point is the separately evaluated best, resume is exact.</summary>
public sealed class HyperparameterSearchTests
{
    private static readonly SearchGrid SmallGrid = new([0.8, 1.6, 2.4], [0.05, 0.4], [1, 3], [1e-6]);

    private static (MathNet.Numerics.LinearAlgebra.Matrix<double> X, MathNet.Numerics.LinearAlgebra.Matrix<double> Y, MathNet.Numerics.LinearAlgebra.Matrix<double> V, int[] Labels) Data()
    {
        var (fit, validation) = DataSplit.LoadTraining("mnist10k", 140).SplitLast(40);
        return (Preprocessing.StandardisePerExample(fit.Images), Preprocessing.OneHotTargets(fit.Labels, 10),
            Preprocessing.StandardisePerExample(validation.Images), validation.Labels);
    }

    [Fact]
    public void Search_MatchesSeparateFits_AndFindsTheSameBestPoint()
    {
        var (x, y, v, labels) = Data();
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var results = new HyperparameterSearch(engine, Nngp.Relu()).Run(x, y, v, labels, SmallGrid, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(SmallGrid.Count, results.Count);

        var separate = new List<SearchResult>();
        foreach (var point in SmallGrid.Points())
        {
            using var posterior = engine.Fit(Nngp.FullyConnected(point.Depth, Nngp.Relu(), point.WeightVariance, point.BiasVariance), x, y, new FitOptions { Noise = point.Noise }, cancellationToken: TestContext.Current.CancellationToken);
            double accuracy = ClassificationExperiment.Accuracy(posterior.PredictMean(v, cancellationToken: TestContext.Current.CancellationToken).PredictedClasses(), labels);
            separate.Add(new SearchResult(point, posterior.LogMarginalLikelihood, accuracy, posterior.Jitter));
        }

        for (int i = 0; i < results.Count; i++)
        {
            Assert.Equal(separate[i].Point, results[i].Point);
            Assert.Equal(separate[i].LogMarginalLikelihood, results[i].LogMarginalLikelihood, 1e-12 * Math.Abs(separate[i].LogMarginalLikelihood));
            Assert.Equal(separate[i].ValidationAccuracy, results[i].ValidationAccuracy);
        }

        Assert.Equal(HyperparameterSearch.BestByLikelihood(separate)!.Point, HyperparameterSearch.BestByLikelihood(results)!.Point);
        Assert.Equal(HyperparameterSearch.BestByAccuracy(separate)!.Point, HyperparameterSearch.BestByAccuracy(results)!.Point);
    }

    [Fact]
    public void Resume_AfterAnInterruption_WritesTheSameCsv()
    {
        var (x, y, v, labels) = Data();
        using var engine = NngpEngine.Create(DeviceKind.Cpu);
        var search = new HyperparameterSearch(engine, Nngp.Erf());
        string directory = Path.Combine(Path.GetTempPath(), "gpunngp-search-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            string whole = Path.Combine(directory, "whole.csv");
            SearchCsv.Rewrite(whole, search.Run(x, y, v, labels, SmallGrid, cancellationToken: TestContext.Current.CancellationToken));

            string resumed = Path.Combine(directory, "resumed.csv");
            var partial = new List<SearchResult>();
            using var cancel = new CancellationTokenSource();
            Assert.ThrowsAny<OperationCanceledException>(() => search.Run(x, y, v, labels, SmallGrid, onResult: r =>
            {
                partial.Add(r);
                if (partial.Count == 5)
                {
                    cancel.Cancel();
                }
            }, cancellationToken: cancel.Token));
            SearchCsv.Rewrite(resumed, partial);
            File.AppendAllText(resumed, "3,2.4,0.0"); // a row cut off by the interruption

            var finished = SearchCsv.Read(resumed);
            Assert.Equal(5, finished.Count);
            SearchCsv.Rewrite(resumed, search.Run(x, y, v, labels, SmallGrid, finished, cancellationToken: TestContext.Current.CancellationToken));
            Assert.Equal(File.ReadAllText(whole), File.ReadAllText(resumed));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
