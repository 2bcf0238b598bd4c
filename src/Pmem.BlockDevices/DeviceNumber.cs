using System.Globalization;

namespace Pmem.BlockDevices;

/// <summary>A Linux device number (<c>dev_t</c>) as its major and minor parts, written <c>MAJOR:MINOR</c> as sysfs names it.</summary>
/// <param name="Major">The driver's number.</param>
/// <param name="Minor">The device's number within the driver.</param>
public readonly record struct DeviceNumber(uint Major, uint Minor)
{
    /// <summary>Whether this is a real device; anonymous devices of tmpfs, proc or overlay have major 0 and no sysfs entry.</summary>
    public bool IsBacked => Major != 0;

    /// <summary>Parses the <c>MAJOR:MINOR</c> text of a sysfs <c>dev</c> file.</summary>
    /// <param name="text">E.g. <c>259:0</c>, surrounding white space allowed.</param>
    /// <param name="number">The device number.</param>
    /// <returns>Whether <paramref name="text"/> is such a pair.</returns>
    public static bool TryParse(string text, out DeviceNumber number)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Trim().Split(':');
        if (parts.Length == 2
            && uint.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out uint major)
            && uint.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out uint minor))
        {
            number = new DeviceNumber(major, minor);
            return true;
        }

        number = default;
        return false;
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Major}:{Minor}");
}
