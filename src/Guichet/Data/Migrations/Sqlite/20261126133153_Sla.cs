using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Guichet.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Sla : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Notification",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    AgentId = table.Column<long>(type: "INTEGER", nullable: false),
                    TicketId = table.Column<long>(type: "INTEGER", nullable: true),
                    Key = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Arguments = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ReadAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Notification", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Notification_Agents_AgentId",
                        column: x => x.AgentId,
                        principalTable: "Agents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_Notification_Tickets_TicketId",
                        column: x => x.TicketId,
                        principalTable: "Tickets",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "SlaCalendar",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Definition = table.Column<string>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SlaCalendar", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "TicketSla",
                columns: table => new
                {
                    TicketId = table.Column<long>(type: "INTEGER", nullable: false),
                    PolicyId = table.Column<long>(type: "INTEGER", nullable: true),
                    FirstResponseDueAt = table.Column<long>(type: "INTEGER", nullable: true),
                    NextResponseDueAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ResolutionDueAt = table.Column<long>(type: "INTEGER", nullable: true),
                    LevelDueAt = table.Column<long>(type: "INTEGER", nullable: true),
                    NextCheckAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Paused = table.Column<bool>(type: "INTEGER", nullable: false),
                    Breached = table.Column<bool>(type: "INTEGER", nullable: false),
                    FirstResponseStage = table.Column<int>(type: "INTEGER", nullable: false),
                    ResolutionStage = table.Column<int>(type: "INTEGER", nullable: false),
                    NextResponseStage = table.Column<int>(type: "INTEGER", nullable: false),
                    NextResponseCycle = table.Column<long>(type: "INTEGER", nullable: true),
                    LevelStage = table.Column<int>(type: "INTEGER", nullable: false),
                    LevelCycle = table.Column<long>(type: "INTEGER", nullable: true),
                    CatalogVersion = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TicketSla", x => x.TicketId);
                    table.ForeignKey(
                        name: "FK_TicketSla_Tickets_TicketId",
                        column: x => x.TicketId,
                        principalTable: "Tickets",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "SlaPolicy",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Position = table.Column<int>(type: "INTEGER", nullable: false),
                    Enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    CalendarId = table.Column<long>(type: "INTEGER", nullable: false),
                    Conditions = table.Column<string>(type: "TEXT", nullable: false),
                    Targets = table.Column<string>(type: "TEXT", nullable: false),
                    WarningPercents = table.Column<string>(type: "TEXT", nullable: false),
                    PausingStatuses = table.Column<string>(type: "TEXT", nullable: false),
                    WarningActions = table.Column<string>(type: "TEXT", nullable: false),
                    BreachActions = table.Column<string>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SlaPolicy", x => x.Id);
                    table.ForeignKey(
                        name: "FK_SlaPolicy_SlaCalendar_CalendarId",
                        column: x => x.CalendarId,
                        principalTable: "SlaCalendar",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Notification_AgentId_ReadAt_Id",
                table: "Notification",
                columns: new[] { "AgentId", "ReadAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Notification_TicketId",
                table: "Notification",
                column: "TicketId");

            migrationBuilder.CreateIndex(
                name: "IX_SlaCalendar_Name",
                table: "SlaCalendar",
                column: "Name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_SlaPolicy_CalendarId",
                table: "SlaPolicy",
                column: "CalendarId");

            migrationBuilder.CreateIndex(
                name: "IX_SlaPolicy_Name",
                table: "SlaPolicy",
                column: "Name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_TicketSla_CatalogVersion",
                table: "TicketSla",
                column: "CatalogVersion");

            migrationBuilder.CreateIndex(
                name: "IX_TicketSla_NextCheckAt",
                table: "TicketSla",
                column: "NextCheckAt");

            migrationBuilder.CreateIndex(
                name: "IX_TicketSla_ResolutionDueAt",
                table: "TicketSla",
                column: "ResolutionDueAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Notification");

            migrationBuilder.DropTable(
                name: "SlaPolicy");

            migrationBuilder.DropTable(
                name: "TicketSla");

            migrationBuilder.DropTable(
                name: "SlaCalendar");
        }
    }
}
