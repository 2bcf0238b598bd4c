using System.Globalization;
using System.Runtime.InteropServices;

namespace Pmem.WriteCache.Tool;

/// <summary>Who runs the tool, and the names of other users' ids for messages.</summary>
internal static partial class UserAccount
{
    /// <summary>The effective user id: the owner of what the tool creates.</summary>
    public static uint Id { get; } = geteuid();

    /// <summary>A user id as messages name it: <c>nobody (uid 65534)</c>, or <c>uid 1234</c> without a passwd entry.</summary>
    public static string Describe(uint uid)
    {
        string? name = null;
        try
        {
            name = File.ReadLines("/etc/passwd")
                .Select(line => line.Split(':'))
                .FirstOrDefault(fields => fields.Length > 2 && fields[2] == uid.ToString(CultureInfo.InvariantCulture))?[0];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No passwd file to read: the number alone names the user.
        }

        return name is null ? $"uid {uid}" : $"{name} (uid {uid})";
    }

    [LibraryImport("libc")]
    private static partial uint geteuid();
}
