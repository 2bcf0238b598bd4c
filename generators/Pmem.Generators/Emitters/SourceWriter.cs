using System.Text;

namespace Pmem.Generators.Emitters
{
    /// <summary>A minimal indenting writer for generated C#: four spaces per level, \n line ends on every OS.</summary>
    internal sealed class SourceWriter
    {
        private readonly StringBuilder _text = new();
        private int _depth;

        public void Line(string line = "")
        {
            if (line.Length != 0)
            {
                _text.Append(' ', 4 * _depth).Append(line);
            }

            _text.Append('\n');
        }

        public void Open()
        {
            Line("{");
            _depth++;
        }

        public void Close(bool trailingBlankLine)
        {
            _depth--;
            Line("}");
            if (trailingBlankLine)
            {
                Line();
            }
        }

        public override string ToString() => _text.ToString();
    }
}
