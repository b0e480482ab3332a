import type { TargetPolicy } from '../../domain/webhook-guard';
import { createWebhookSender, systemResolver } from '../webhook-sender';

/** On AWS a webhook goes only to public addresses, over https: checked at creation and at each delivery. */
export const webhookPolicy: TargetPolicy = { allowPrivate: false, resolve: systemResolver };

export const webhookSender = createWebhookSender(webhookPolicy);
