using GpuNngp.Data;
using Xunit;

namespace GpuNngp.Engine.Tests.Data;

/// <summary>
/// An interrupted write leaves no hidden temporary file: the cleanup that AtomicFile runs on SIGINT,
/// SIGTERM, SIGHUP and at exit, run here while a write is in progress, as the signal would run it.
/// </summary>
public sealed class AtomicFileInterruptTests
{
    [Fact]
    public void CleanupDuringAWrite_DeletesItsTemporaryFile_AndTheWriteFailsWithoutATarget()
    {
        using var temp = new TempDirectory();
        string target = temp.File("k.npy");
        using var writing = new ManualResetEventSlim();
        using var interrupted = new ManualResetEventSlim();
        var writer = Task.Run(() => AtomicFile.Write(target, stream =>
        {
            stream.Write(new byte[1 << 16]);
            writing.Set();
            interrupted.Wait(TestContext.Current.CancellationToken);
            stream.Write(new byte[1 << 16]);
        }), TestContext.Current.CancellationToken);

        Assert.True(writing.Wait(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.Single(Directory.GetFiles(temp.Path, ".k.npy.*.tmp"));
        AtomicFile.DeletePending(temp.Path); // only this test's: others write in parallel
        Assert.Empty(Directory.GetFiles(temp.Path, "*.tmp"));

        interrupted.Set();
        var error = Assert.Throws<AggregateException>(() => writer.Wait(TestContext.Current.CancellationToken)).InnerException;
        Assert.IsType<NngpInputException>(error);
        Assert.False(File.Exists(target));
        Assert.Empty(Directory.GetFiles(temp.Path));
    }
}
