namespace Pmem.Package.Tests;

/// <summary>One diagnostic, as the corpus states what it expects: where (file name and line) and which rule.</summary>
public readonly record struct ReportedDiagnostic(string File, string Rule, int Line)
{
    public override string ToString() => $"{File}:{Line} {Rule}";
}
