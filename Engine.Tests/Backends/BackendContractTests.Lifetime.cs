using Xunit;

namespace GpuNngp.Engine.Tests.Backends;

/// <summary>
/// The lifetime and thread rules, on every provider alike (README "Threads and lifetime"): a disposed
/// engine, posterior or Gram cache throws <see cref="ObjectDisposedException"/> (so a bug that only
/// freed device memory would show also shows on the CPU), disposing twice is harmless, concurrent
/// calls on one engine give what the same calls made one after another give, and a posterior saved
/// on the reference provider loads and predicts here.
/// </summary>
public abstract partial class BackendContractTests
{
    [Fact]
    public void DisposedEngine_RefusesEveryCall()
    {
        var engine = CreateEngine();
        var network = Nngp.FullyConnected(1, Nngp.Relu(), 1.5, 0.1);
        var x = RandomMatrix(8, 3, seed: 61);
        var y = RandomMatrix(8, 1, seed: 62);
        using var saved = new MemoryStream();
        using (var posterior = engine.Fit(network, x, y, new FitOptions { Noise = 0.1 }, TestContext.Current.CancellationToken))
        {
            posterior.Save(saved);
        }

        engine.Dispose();
        engine.Dispose();

        Assert.Throws<ObjectDisposedException>(() => engine.Fit(network, x, y, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Throws<ObjectDisposedException>(() => engine.Kernel(network, x, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Throws<ObjectDisposedException>(() => engine.HostKernel(network, x, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Throws<ObjectDisposedException>(() => engine.CacheInputGram(x));
        Assert.Throws<ObjectDisposedException>(() => engine.CheckFitMemory(8));
        saved.Position = 0;
        Assert.Throws<ObjectDisposedException>(() => engine.LoadPosterior(saved));
    }

    [Fact]
    public void PosteriorAndCacheOfADisposedEngine_Refuse_AndStillDispose()
    {
        var engine = CreateEngine();
        var network = Nngp.FullyConnected(1, Nngp.Erf(), 1.5, 0.1);
        var x = RandomMatrix(8, 3, seed: 63);
        var posterior = engine.Fit(network, x, RandomMatrix(8, 1, seed: 64), new FitOptions { Noise = 0.1 }, TestContext.Current.CancellationToken);
        var cache = engine.CacheInputGram(x);

        engine.Dispose();

        var e = Assert.Throws<ObjectDisposedException>(() => posterior.Predict(x, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("NngpEngine", e.Message, StringComparison.Ordinal);
        Assert.Throws<ObjectDisposedException>(() => posterior.Save(new MemoryStream()));
        posterior.Dispose();
        cache.Dispose();
        posterior.Dispose();
    }

    [Fact]
    public void DisposedPosteriorAndCache_Refuse()
    {
        using var engine = CreateEngine();
        var network = Nngp.FullyConnected(2, Nngp.Relu(), 1.5, 0.1);
        var x = RandomMatrix(10, 3, seed: 65);
        var y = RandomMatrix(10, 1, seed: 66);
        var posterior = engine.Fit(network, x, y, new FitOptions { Noise = 0.1 }, TestContext.Current.CancellationToken);
        var cache = engine.CacheInputGram(x);

        posterior.Dispose();
        cache.Dispose();
        posterior.Dispose();
        cache.Dispose();

        Assert.Throws<ObjectDisposedException>(() => posterior.Predict(x, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Throws<ObjectDisposedException>(() => posterior.Save(new MemoryStream()));
        Assert.Throws<ObjectDisposedException>(() => engine.Fit(network, x, y, new FitOptions { Noise = 0.1, InputGram = cache }, TestContext.Current.CancellationToken));
        using var without = engine.Fit(network, x, y, new FitOptions { Noise = 0.1 }, TestContext.Current.CancellationToken); // the engine itself is unharmed
        Assert.Equal(10, without.TrainCount);
    }

    [Fact]
    public async Task EightConcurrentPredicts_OnOnePosterior_EqualSequentialOnes()
    {
        using var engine = CreateEngine();
        using var posterior = engine.Fit(Nngp.FullyConnected(3, Nngp.Relu(), 1.45, 0.28), RandomMatrix(24, 5, seed: 67), RandomMatrix(24, 2, seed: 68), new FitOptions { Noise = 0.01 }, TestContext.Current.CancellationToken);
        var tests = Enumerable.Range(0, 8).Select(i => RandomMatrix(6 + i, 5, seed: 70 + i)).ToArray();
        var sequential = tests.Select(t => posterior.Predict(t, cancellationToken: TestContext.Current.CancellationToken)).ToArray();

        using var start = new Barrier(tests.Length);
        var concurrent = tests.Select(t => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            return posterior.Predict(t, cancellationToken: TestContext.Current.CancellationToken);
        }, TestContext.Current.CancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        Prediction[] results = await Task.WhenAll(concurrent);

        for (int i = 0; i < tests.Length; i++)
        {
            Assert.Equal(sequential[i].Mean.ToColumnMajorArray(), results[i].Mean.ToColumnMajorArray());
            Assert.Equal(sequential[i].Variance, results[i].Variance);
        }
    }

    [Fact]
    public void ConcurrentFitsAndKernels_OnOneEngine_EqualSequentialOnes()
    {
        using var engine = CreateEngine();
        var networks = new[] { Nngp.FullyConnected(2, Nngp.Relu(), 1.5, 0.1), Nngp.FullyConnected(1, Nngp.Erf(), 2, 0.2) };
        var x = RandomMatrix(16, 4, seed: 81);
        var y = RandomMatrix(16, 1, seed: 82);
        var xTest = RandomMatrix(5, 4, seed: 83);
        double[] Work(int i)
        {
            var network = networks[i % 2];
            if (i % 3 == 0)
            {
                return engine.Kernel(network, x, xTest, cancellationToken: TestContext.Current.CancellationToken).ToColumnMajorArray();
            }

            using var posterior = engine.Fit(network, x, y, new FitOptions { Noise = 0.01 * (1 + i) }, TestContext.Current.CancellationToken);
            return posterior.Predict(xTest, cancellationToken: TestContext.Current.CancellationToken).Mean.ToColumnMajorArray();
        }

        var sequential = Enumerable.Range(0, 6).Select(Work).ToArray();
        var concurrent = Enumerable.Range(0, 6).AsParallel().WithDegreeOfParallelism(6).Select(i => (i, Work(i))).ToArray();

        foreach (var (i, result) in concurrent)
        {
            Assert.Equal(sequential[i], result);
        }
    }

    [Fact]
    public void PosteriorSavedOnTheReference_LoadsAndPredictsHere()
    {
        using var reference = CreateReference();
        using var engine = CreateEngine();
        var x = RandomMatrix(14, 4, seed: 84);
        var xTest = RandomMatrix(5, 4, seed: 85);
        using var posterior = reference.Fit(Nngp.FullyConnected(2, Nngp.Gelu(), 1.5, 0.1), x, RandomMatrix(14, 2, seed: 86), new FitOptions { Noise = 0.02, Kind = KernelKind.Ntk }, TestContext.Current.CancellationToken);
        using var saved = new MemoryStream();
        posterior.Save(saved);
        saved.Position = 0;

        using var loaded = engine.LoadPosterior(saved);

        var (expected, actual) = (posterior.Predict(xTest, cancellationToken: TestContext.Current.CancellationToken), loaded.Predict(xTest, cancellationToken: TestContext.Current.CancellationToken));
        AssertClose(expected.Mean, actual.Mean, 1e-10);
        AssertClose(Vector(expected.Variance!), Vector(actual.Variance!), 1e-8);
        Assert.Equal(KernelKind.Ntk, loaded.Kind);
    }
}
