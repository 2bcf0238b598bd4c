using System.Collections.Generic;
using System.Linq;
using Pmem.Generators.Model;
using Pmem.Generators.Sequences;

namespace Pmem.Generators.Emitters
{
    /// <summary>Writes the source of one primitives class: a header naming the target and why, then the four primitives.</summary>
    internal static class PrimitivesEmitter
    {
        private static readonly string[] AssignTypes = { "ulong", "long", "uint", "int", "ushort", "short", "byte" };

        private static readonly string GeneratedCode =
            "[global::System.CodeDom.Compiler.GeneratedCode(\"Pmem.Generators\", \""
            + typeof(PrimitivesEmitter).Assembly.GetName().Version?.ToString(3) + "\")]";

        private const string Inline = "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]";

        public static string Emit(PrimitivesClass primitives, TargetSequence sequence, string reason)
        {
            var source = new SourceWriter();
            string[] header = new[] { $"// Pmem primitives for {sequence.DisplayName} ({reason}).", "//" };
            GeneratedTypeFrame.Open(source, header.Concat(sequence.Summary.Select(line => "// " + line)), primitives.Type, "static partial class");

            Member(source, "Copies <paramref name=\"source\"/> to the start of <paramref name=\"destination\"/>; persistent after <see cref=\"PmemFlush\"/> of the destination and <see cref=\"PmemCommit\"/>.",
                new[] { ("destination", "Persistent memory at least as long as the source."), ("source", "The bytes to copy; must not overlap the destination.") },
                "public static void PmemMemcpy(global::System.Span<byte> destination, global::System.ReadOnlySpan<byte> source)",
                sequence.Memcpy);

            Member(source, "Flushes the cache lines of <paramref name=\"range\"/> towards persistence; durable after the next <see cref=\"PmemCommit\"/>. Required on every CPU for portable code.",
                new[] { ("range", "The bytes written since their last flush.") },
                "public static void PmemFlush(global::System.ReadOnlySpan<byte> range)",
                sequence.Flush);

            Member(source, "Waits until every flushed write is persistent.",
                System.Array.Empty<(string, string)>(),
                "public static void PmemCommit()",
                sequence.Commit);

            foreach (string type in AssignTypes)
            {
                Member(source, "Stores <paramref name=\"value\"/> at <paramref name=\"location\"/> in one failure-atomic aligned store; persistent after <see cref=\"PmemFlush\"/> of the location and <see cref=\"PmemCommit\"/>.",
                    new[] { ("location", "A location aligned to its size; misaligned locations throw DataMisalignedException."), ("value", "The value to store.") },
                    $"public static void PmemAssign(ref {type} location, {type} value)",
                    sequence.Assign);
            }

            GeneratedTypeFrame.Close(source, primitives.Type);
            return source.ToString();
        }

        private static void Member(SourceWriter source, string summary, IEnumerable<(string Name, string Text)> parameters, string signature, IReadOnlyList<string> body)
        {
            source.Line($"/// <summary>{summary}</summary>");
            foreach ((string name, string text) in parameters)
            {
                source.Line($"/// <param name=\"{name}\">{text}</param>");
            }

            source.Line(GeneratedCode);
            source.Line(Inline);
            source.Line(signature);
            source.Open();
            foreach (string line in body)
            {
                source.Line(line);
            }

            source.Close(trailingBlankLine: true);
        }
    }
}
