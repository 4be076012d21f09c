using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Guichet.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Guichet.Auth;

/// <summary>Bearer tokens for scripts: random secrets shown once, stored as SHA-256 hashes, revocable.</summary>
public sealed class ApiTokenService(GuichetDbContext db, TimeProvider clock, IMemoryCache cache)
{
    public const string TokenPrefix = "gch_";

    public sealed record Issued(long Id, string Name, string Token, DateTimeOffset CreatedAt);

    public async Task<Issued> CreateAsync(long accountId, string name, CancellationToken ct)
    {
        var secret = TokenPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var token = new ApiToken(accountId, name.Trim(), secret[..10], Hash(secret), clock.GetUtcNow());
        db.ApiTokens.Add(token);
        await db.SaveChangesAsync(ct);
        return new Issued(token.Id, token.Name, secret, token.CreatedAt);
    }

    public async Task<bool> RevokeAsync(long accountId, long tokenId, CancellationToken ct)
    {
        var token = await db.ApiTokens.FirstOrDefaultAsync(t => t.Id == tokenId && t.AccountId == accountId, ct);
        if (token is null)
        {
            return false;
        }

        token.Revoke(clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
        cache.Remove(CacheKey(token.Hash));
        return true;
    }

    /// <summary>
    /// The principal for a presented token, or null. Cached for a minute, so on other nodes a revocation
    /// takes effect within that minute; on this node it is immediate.
    /// </summary>
    public async Task<ClaimsPrincipal?> AuthenticateAsync(string presented, string scheme, CancellationToken ct)
    {
        if (!presented.StartsWith(TokenPrefix, StringComparison.Ordinal) || presented.Length > 100)
        {
            return null;
        }

        var hash = Hash(presented);
        var key = CacheKey(hash);
        if (cache.TryGetValue(key, out ClaimsPrincipal? cached))
        {
            return cached;
        }

        var token = await db.ApiTokens.FirstOrDefaultAsync(t => t.Hash == hash, ct);
        ClaimsPrincipal? principal = null;
        if (token is { RevokedAt: null })
        {
            var identity = await GuichetClaims.IdentityForAsync(db, token.AccountId, scheme, ct);
            if (identity is not null)
            {
                principal = new ClaimsPrincipal(identity);
                token.LastUsedAt = clock.GetUtcNow();
                await db.SaveChangesAsync(ct);
            }
        }

        cache.Set(key, principal, clock.GetUtcNow().AddMinutes(1));
        return principal;
    }

    private static string CacheKey(byte[] hash) => "apitoken:" + Convert.ToHexString(hash);

    private static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

internal sealed class ApiTokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var tokens = Context.RequestServices.GetRequiredService<ApiTokenService>();
        var principal = await tokens.AuthenticateAsync(header["Bearer ".Length..].Trim(), SchemeName, Context.RequestAborted);
        return principal is null
            ? AuthenticateResult.Fail("Invalid or revoked API token.")
            : AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }
}
