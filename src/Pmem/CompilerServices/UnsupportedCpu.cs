using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace Pmem.CompilerServices;

/// <summary>What <c>auto</c> primitives do on a CPU that is neither x86-64 nor ARM64.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class UnsupportedCpu
{
    /// <summary>Throws <see cref="PlatformNotSupportedException"/> naming the CPU.</summary>
    [DoesNotReturn]
    public static void Throw() =>
        throw new PlatformNotSupportedException($"The Pmem primitives support x86-64 and ARM64; this process runs on {RuntimeInformation.ProcessArchitecture}.");
}
