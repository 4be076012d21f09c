using Guichet.Web.Shared;

namespace Guichet.Web.Admin;

/// <summary>An admin screen: a <see cref="LoadingPage"/> (kept as its own name so the admin screens read as a family).</summary>
public abstract class AdminPage : LoadingPage;
