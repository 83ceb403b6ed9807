/**
 * The floor for the benchmark: a bare botbuilder echo bot (CloudAdapter on restify, local mode, no store), started
 * like the real bot and answering each message with one text reply through the same fake connector. A turn of the
 * real bot is measured as a ratio to this one's, in the same run, so a busy machine slows both alike.
 */
import { ActivityHandler, CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import restify from '../../bot/restify.js';
import type Restify from 'restify';

const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
const bot = new ActivityHandler();
bot.onMessage(async (context, next) => {
  await context.sendActivity(`Je zei: ${context.activity.text ?? ''}`);
  await next();
});

const server = restify.createServer({ handleUncaughtExceptions: false });
// As in Microsoft's echo bot sample: without a body parser CloudAdapter answers 400 and no turn runs at all.
server.use(restify.plugins.bodyParser());
server.get('/healthz', async (_req: Restify.Request, res: Restify.Response) => res.json(200, { status: 'ok', rssMiB: Math.round(process.memoryUsage().rss / 1024 / 1024) }));
server.post('/api/messages', async (req: Restify.Request, res: Restify.Response) => {
  await adapter.process(req, res, (context) => bot.run(context));
});
server.listen(Number(process.env.PORT ?? 3979), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
