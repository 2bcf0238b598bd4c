using System.Globalization;
using Pmem.Generators.Model;

namespace Pmem.Generators.Emitters
{
    /// <summary>Writes the members the layout generator adds to a <c>[PmemLayout]</c> struct.</summary>
    internal static class LayoutEmitter
    {
        public static string Emit(LayoutStruct layout)
        {
            string name = layout.Type.Name;
            var source = new SourceWriter();
            string[] header = new[] { $"// Pmem layout of {name}: {layout.Size} bytes on the media, fields aligned to their size (checked at compile time)." };
            GeneratedTypeFrame.Open(source, header, layout.Type, "partial struct");
            source.Line("/// <summary>The size of the structure on the media, in bytes.</summary>");
            source.Line($"public const int Size = {Number(layout.Size)};");
            source.Line();
            source.Line("/// <summary>The alignment the structure needs in memory: that of its widest field.</summary>");
            source.Line($"public const int Alignment = {Number(layout.Alignment)};");
            source.Line();
            source.Line("/// <summary>The byte offset of each field from the start of the structure.</summary>");
            source.Line("public static class Offsets");
            source.Open();
            foreach (LayoutField field in layout.Fields)
            {
                source.Line($"/// <summary>Offset of <see cref=\"{name}.{field.Name}\"/> ({Number(field.Size)} bytes).</summary>");
                source.Line($"public const int {field.Name} = {Number(field.Offset)};");
            }

            source.Close(trailingBlankLine: true);
            source.Line($"/// <summary>A reference to the {name} at <paramref name=\"offset\"/> in <paramref name=\"media\"/>; throws if it does not fit or is misaligned.</summary>");
            source.Line("/// <param name=\"media\">Mapped persistent memory.</param>");
            source.Line("/// <param name=\"offset\">Byte offset of the structure.</param>");
            source.Line($"public static ref {name} At(global::System.Span<byte> media, int offset) =>");
            source.Line($"    ref global::Pmem.CompilerServices.LayoutAccess.At<{name}>(media, offset, Size, Alignment);");
            source.Line();
            source.Line($"/// <summary>The bytes of <paramref name=\"value\"/>, to flush after writing it.</summary>");
            source.Line("/// <param name=\"value\">A structure in mapped memory.</param>");
            source.Line($"public static global::System.Span<byte> AsBytes(ref {name} value) =>");
            source.Line("    global::System.Runtime.InteropServices.MemoryMarshal.AsBytes(global::System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref value, 1));");
            GeneratedTypeFrame.Close(source, layout.Type);
            return source.ToString();
        }

        private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
    }
}
