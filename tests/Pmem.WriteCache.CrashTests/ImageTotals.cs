[assembly: AssemblyFixture(typeof(Pmem.WriteCache.CrashTests.ImageTotals))]

namespace Pmem.WriteCache.CrashTests;

/// <summary>Prints the images checked per model once every test has run.</summary>
public sealed class ImageTotals : IDisposable
{
    public void Dispose() => Console.WriteLine(ImageTally.Summary());
}
