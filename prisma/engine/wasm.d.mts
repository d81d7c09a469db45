export function deployMigrations(connectionString: string): Promise<string[]>
