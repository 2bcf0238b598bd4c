// netstandard2.0 lacks the type C# 9 records need for init accessors.
namespace System.Runtime.CompilerServices
{
    internal static class IsExternalInit
    {
    }
}
