import { removeTempDirs } from "./tempDir";

// Runs after each test file's own afterAll hooks, pass or fail.
afterAll(removeTempDirs);
