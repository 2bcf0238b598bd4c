using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Pmem.Generators.Model
{
    /// <summary>
    /// A <see cref="Location"/> reduced to values, so pipeline models stay equatable and the incremental cache
    /// works (a Location holds a SyntaxTree, which changes on every edit).
    /// </summary>
    internal sealed record LocationInfo(string FilePath, TextSpan TextSpan, LinePositionSpan LineSpan)
    {
        public static LocationInfo? From(Location location) =>
            location.SourceTree is null ? null : new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);

        public Location ToLocation() => Location.Create(FilePath, TextSpan, LineSpan);
    }
}
