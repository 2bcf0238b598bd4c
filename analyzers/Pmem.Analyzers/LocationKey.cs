using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Pmem.Analyzers
{
    /// <summary>
    /// A symbolic name for the persistent range a write touches or a flush covers: a root (a parameter or local the
    /// method does not reassign, or the normalized text of an expression) and, for constant slices, a byte range in it.
    /// Two ranges are related only when they can be proved the same or different; anything else is "unknown", and an
    /// unknown flush is taken to cover every write (no warning on code the analyzer cannot follow).
    /// </summary>
    internal sealed class LocationKey : IEquatable<LocationKey>
    {
        // How many locals deep a value is followed: enough for slices of slices, bounded for pathological code.
        private const int MaxIndirections = 8;

        private readonly ISymbol? _symbolRoot;
        private readonly string? _textRoot;
        private readonly long? _start;
        private readonly long? _length;

        private LocationKey(ISymbol? symbolRoot, string? textRoot, long? start, long? length)
        {
            _symbolRoot = symbolRoot;
            _textRoot = textRoot;
            _start = start;
            _length = length;
        }

        /// <summary>The key of a span-valued expression, or <see langword="null"/> when the analyzer cannot name it.</summary>
        public static LocationKey? Of(IOperation? operation, LocalAssignments locals) => Of(operation, locals, 0);

        /// <summary>
        /// Whether a flush of <paramref name="flushed"/> makes a write of <paramref name="written"/> durable, as far as
        /// can be told: false only when both are named and provably different, or constant slices of one root that do
        /// not contain the write.
        /// </summary>
        public static bool Covers(LocationKey? flushed, LocationKey? written)
        {
            if (flushed is null || written is null)
            {
                return true;
            }

            if (!flushed.SameRoot(written))
            {
                // Two distinct parameters or locals name two spans; a text root is an expression the analyzer does not relate.
                return flushed._symbolRoot is null || written._symbolRoot is null;
            }

            if (flushed._start is not { } flushStart || written._start is not { } writeStart)
            {
                return true;
            }

            long flushEnd = flushed._length is { } flushLength ? flushStart + flushLength : long.MaxValue;
            long writeEnd = written._length is { } writeLength ? writeStart + writeLength : long.MaxValue;
            return flushStart <= writeStart && writeEnd <= flushEnd;
        }

        /// <summary>Whether a write of <paramref name="written"/> can change the bytes of <paramref name="flushed"/>.</summary>
        public static bool MayOverlap(LocationKey? flushed, LocationKey? written)
        {
            if (flushed is null || written is null || !flushed.SameRoot(written))
            {
                return flushed?._symbolRoot is null || written?._symbolRoot is null;
            }

            if (flushed._start is not { } flushStart || written._start is not { } writeStart)
            {
                return true;
            }

            long flushEnd = flushed._length is { } flushLength ? flushStart + flushLength : long.MaxValue;
            long writeEnd = written._length is { } writeLength ? writeStart + writeLength : long.MaxValue;
            return writeStart < flushEnd && flushStart < writeEnd;
        }

        public bool Equals(LocationKey? other) =>
            other is not null && SameRoot(other) && _start == other._start && _length == other._length;

        public override bool Equals(object? obj) => Equals(obj as LocationKey);

        public override int GetHashCode()
        {
            int root = _symbolRoot is not null ? SymbolEqualityComparer.Default.GetHashCode(_symbolRoot) : StringComparer.Ordinal.GetHashCode(_textRoot ?? string.Empty);
            return unchecked((root * 31) + _start.GetHashCode());
        }

        private bool SameRoot(LocationKey other) =>
            _symbolRoot is not null
                ? SymbolEqualityComparer.Default.Equals(_symbolRoot, other._symbolRoot)
                : other._symbolRoot is null && string.Equals(_textRoot, other._textRoot, StringComparison.Ordinal);

        private static LocationKey? Of(IOperation? operation, LocalAssignments locals, int depth)
        {
            if (operation is null || depth > MaxIndirections)
            {
                return null;
            }

            operation = operation.WithoutConversions();
            switch (operation)
            {
                case ILocalReferenceOperation local:
                    if (locals.SingleValue(local.Local) is { } value)
                    {
                        return Of(value, locals, depth + 1);
                    }

                    // A local given several values may name different spans at the write and at the flush.
                    return null;
                case IParameterReferenceOperation parameter:
                    return locals.IsAssigned(parameter.Parameter) ? null : new LocationKey(parameter.Parameter, null, null, null);
                case IInvocationOperation { TargetMethod.Name: "Slice", Instance: { } instance } slice
                    when ConstantArgument(slice, 0) is { } start:
                    long? length = slice.Arguments.Length > 1 ? ConstantArgument(slice, 1) : null;
                    if (slice.Arguments.Length > 1 && length is null)
                    {
                        break;
                    }

                    return Of(instance, locals, depth + 1) is { } root ? root.Narrow(start, length) : null;
            }

            return new LocationKey(null, Normalize(operation.Syntax.ToString()), null, null);
        }

        private static long? ConstantArgument(IInvocationOperation invocation, int ordinal) =>
            invocation.ArgumentValue(ordinal)?.WithoutConversions().ConstantValue is { HasValue: true, Value: { } value }
                ? Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)
                : null;

        private LocationKey Narrow(long start, long? length)
        {
            if (_start is { } outerStart)
            {
                return new LocationKey(_symbolRoot, _textRoot, outerStart + start, length ?? (_length - start));
            }

            // A slice of a root of unknown extent: only relative positions are known, which is all Covers needs.
            return new LocationKey(_symbolRoot, _textRoot, start, length);
        }

        private static string Normalize(string text)
        {
            var builder = new System.Text.StringBuilder(text.Length);
            foreach (char c in text)
            {
                if (!char.IsWhiteSpace(c))
                {
                    builder.Append(c);
                }
            }

            return builder.ToString();
        }
    }
}
